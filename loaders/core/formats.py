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
        )
        for r in rows
    }


def get_format(name: str) -> Format:
    try:
        return registry()[name]
    except KeyError:
        raise UnknownFormat(
            f"unknown format {name!r}; known formats: {', '.join(sorted(registry()))}"
        ) from None
