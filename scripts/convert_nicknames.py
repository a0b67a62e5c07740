"""Converts carltonnorthern/nicknames' names.csv into seeds/matching/matching_nicknames.csv.

    python scripts/convert_nicknames.py path/to/names.csv

The upstream rows are `name1,has_nickname,name2`; the seed holds each pair in
both directions (`name,variant,source`), so a join on either name finds the
other. Upstream pairs whose nickname is initials (`k.c.`) are left out: they
are not given names. The seed's own rows (source `scorebridge`, names missing
upstream) are kept as they are, so the script can be run again on a newer
names.csv.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "seeds" / "matching" / "matching_nicknames.csv"
UPSTREAM = "carltonnorthern/nicknames"


def convert(names_csv: Path, seed: Path = SEED) -> int:
    """Writes the seed; returns how many rows it holds."""
    pairs: dict[tuple[str, str], str] = {}
    if seed.exists():
        with seed.open(newline="", encoding="ascii") as f:
            for row in csv.DictReader(f):
                if row["source"] != UPSTREAM:
                    pairs[(row["name"], row["variant"])] = row["source"]
    with names_csv.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["relationship"] != "has_nickname":
                continue
            name, variant = row["name1"].strip().lower(), row["name2"].strip().lower()
            if not (name.isascii() and variant.isascii() and name.isalpha() and variant.isalpha()):
                continue  # initials such as k.c.
            for pair in ((name, variant), (variant, name)):
                pairs.setdefault(pair, UPSTREAM)
    own = [(n, v) for (n, v), s in pairs.items() if s != UPSTREAM]
    for name, variant in own:  # the seed's own rows are symmetric too
        pairs.setdefault((variant, name), pairs[(name, variant)])
    with seed.open("w", newline="", encoding="ascii") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["name", "variant", "source"])
        for (name, variant), source in sorted(pairs.items()):
            out.writerow([name, variant, source])
    return len(pairs)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.stdout.write(f"{convert(Path(sys.argv[1]))} rows written to {SEED}\n")
