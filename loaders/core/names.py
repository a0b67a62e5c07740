"""Column names from file headers, shared by landing (each file's header) and
the schema (the layout's headers, so staging compiles on an empty database)."""

from __future__ import annotations

import hashlib
import re

_IDENT = re.compile(r"[^a-z0-9]+")
MAX_IDENT = 63  # PostgreSQL's identifier length


def column_names(header: list[str]) -> list[str]:
    """Header names to unique PostgreSQL column names (snake_case, <= 63).

    Repeated names (``Filler``) get ``_2``, ``_3``...; names that do not fit
    are cut and given a short hash so two long names never collide.
    """
    taken: set[str] = set()
    names = []
    for i, raw in enumerate(header):
        base = _IDENT.sub("_", raw.strip().lower()).strip("_") or f"column_{i + 1}"
        if base[0].isdigit():
            base = f"c_{base}"
        if base.startswith("_"):
            base = f"c{base}"
        if len(base) > MAX_IDENT - 4:
            digest = hashlib.sha1(raw.encode()).hexdigest()[:6]
            base = f"{base[:MAX_IDENT - 11]}_{digest}"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        names.append(name)
    return names
