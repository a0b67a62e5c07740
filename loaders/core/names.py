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


# -- file names -----------------------------------------------------------------
# A name component may hold 255 bytes on the file systems we meet (ext4, xfs,
# tmpfs, NTFS in UTF-16 units). Custody adds to a name (`.<sha12>` when two
# deliveries share one, `.<name>.part` while uploading a backup copy, `.asc`
# stripped and `.decrypted` style suffixes), so a name is kept whole only up to
# this many bytes; longer ones are shortened by :func:`safe_file_name`.
SAFE_NAME_BYTES = 200
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\n``,
    ``\\x1b``, ``\\x00``...), so a remote name cannot break a log line, move the
    terminal's cursor or change its colours. Other characters are kept."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or 0x7F <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or 0xD800 <= code <= 0xDFFF:
            # Bidirectional overrides (which show a name reversed) and lone
            # surrogates (undecodable bytes) are shown by number too.
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def safe_file_name(name: str) -> str:
    """``name`` itself when it fits :data:`SAFE_NAME_BYTES`; otherwise its
    start, ``~``, 16 hex digits of its SHA-256 and its extension (when short),
    so two long names never share a shortened one and the extension still
    says what the file is. The original name stays in the manifest."""
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) <= SAFE_NAME_BYTES:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[:16]
    stem, dot, ext = name.rpartition(".")
    suffix = f".{ext}" if dot and stem and len(ext.encode()) <= 16 else ""
    keep = SAFE_NAME_BYTES - len(suffix.encode()) - len(digest) - 1
    start = encoded[:keep].decode("utf-8", "ignore")  # never half a character
    return f"{start}~{digest}{suffix}"
