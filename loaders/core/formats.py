"""The format registry: seeds/scorebridge_formats.csv names every format that
``load`` accepts (the names of FORMATS.md) and how its rows land."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from loaders.core.errors import ScorebridgeError
from loaders.core.paths import SEEDS_DIR


class UnknownFormat(ScorebridgeError):
    pass


@dataclass(frozen=True)
class Format:
    name: str
    kind: str  # "csv" or "fixed"
    raw_table: str
    record_length: int | None
    description: str
    # "landing": a CSV header fitting no layout version is quarantined before
    # it lands; "models": the admissions models judge it (the seed's yml).
    layout_checked_by: str = "landing"


@lru_cache(maxsize=1)
def registry() -> dict[str, Format]:
    with open(SEEDS_DIR / "scorebridge_formats.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {
        r["format_name"]: Format(
            name=r["format_name"],
            kind=r["kind"],
            raw_table=r["raw_table"],
            record_length=int(r["record_length"]) if r["record_length"] else None,
            description=r["description"],
            layout_checked_by=r.get("layout_checked_by") or "landing",
        )
        for r in rows
    }


@lru_cache(maxsize=1)
def _layout_columns() -> dict[tuple[str, str], list[tuple[int, str, bool]]]:
    """seeds/layouts/layout_columns.csv per (format, layout version): each
    column's (ordinal, name, is_required)."""
    path = SEEDS_DIR / "layouts" / "layout_columns.csv"
    if not path.exists():
        return {}
    out: dict[tuple[str, str], list[tuple[int, str, bool]]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.setdefault((r["format_name"], r["layout_version"]), []).append(
                (int(r["ordinal"]), r["column_name"], r["is_required"].strip().lower() == "true"))
    return {key: sorted(cols) for key, cols in out.items()}


def layout_headers() -> dict[str, list[list[str]]]:
    """Header names per format, one list per layout version (in version order)."""
    out: dict[str, list[list[str]]] = {}
    for (fmt, _), cols in sorted(_layout_columns().items()):
        out.setdefault(fmt, []).append([name for _, name, _ in cols])
    return out


def required_columns() -> dict[str, dict[str, list[str]]]:
    """Per format and layout version, the columns a file's header must have."""
    out: dict[str, dict[str, list[str]]] = {}
    for (fmt, version), cols in _layout_columns().items():
        out.setdefault(fmt, {})[version] = [name for _, name, required in cols if required]
    return out


def get_format(name: str) -> Format:
    try:
        return registry()[name]
    except KeyError:
        raise UnknownFormat(
            f"unknown format {name!r}; known formats: {', '.join(sorted(registry()))}"
        ) from None
