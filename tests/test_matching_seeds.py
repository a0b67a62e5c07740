"""The nicknames seed and its conversion (scripts/convert_nicknames.py)."""

from __future__ import annotations

import csv
import importlib.util
import sys

from tests.helpers import ROOT

SEED = ROOT / "seeds" / "matching" / "matching_nicknames.csv"


def load_by_path(name, path):
    """A module of scripts/ or benchmarks/, loaded by path (neither is a package;
    benchmarks/ on sys.path would let its common.py shadow another `common`)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)  # dataclasses look it up
    spec.loader.exec_module(module)
    return module


def load_converter():
    return load_by_path("convert_nicknames", ROOT / "scripts" / "convert_nicknames.py")


def rows(path):
    with path.open(newline="", encoding="ascii") as f:
        return [(r["name"], r["variant"], r["source"]) for r in csv.DictReader(f)]


def test_conversion_writes_each_pair_both_ways_and_keeps_our_own_rows(tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("name1,relationship,name2\nrobert,has_nickname,bob\nrobert,has_nickname,bobby\n"
                     "Casey,has_nickname,k.c.\nbob,has_nickname,robert\n", encoding="utf-8")
    seed = tmp_path / "seed.csv"
    # an own row (one way only) and a stale upstream row the new names.csv no longer has
    seed.write_text("name,variant,source\nalexander,sasha,scorebridge\n"
                    "gone,away,carltonnorthern/nicknames\n", encoding="ascii")
    assert load_converter().convert(names, seed) == 6
    upstream = "carltonnorthern/nicknames"
    assert rows(seed) == [
        ("alexander", "sasha", "scorebridge"),
        ("bob", "robert", upstream),
        ("bobby", "robert", upstream),
        ("robert", "bob", upstream),
        ("robert", "bobby", upstream),
        ("sasha", "alexander", "scorebridge"),
    ]


def test_the_seed_holds_the_given_names_matching_needs_both_ways():
    seed = rows(SEED)
    pairs = {(name, variant) for name, variant, _ in seed}
    assert len(pairs) == len(seed)
    for full, short in [("robert", "bob"), ("william", "bill"), ("margaret", "peggy"),
                        ("margaret", "peg"), ("elizabeth", "liz"), ("elizabeth", "betty"),
                        ("james", "jim"), ("katherine", "kate"), ("anthony", "tony"),
                        ("richard", "dick"), ("alexander", "sasha")]:
        assert {(full, short), (short, full)} <= pairs
    assert all((variant, name) in pairs for name, variant in pairs)
    assert all(n.isascii() and n.isalpha() and n == n.lower() for pair in pairs for n in pair)


def test_the_seed_holds_the_nicknames_the_matching_benchmark_draws():
    # benchmarks/matching_population.py writes these variants for a person's
    # first name; one missing from the seed would count as a matching miss.
    population = load_by_path("matching_population",
                              ROOT / "benchmarks" / "matching_population.py")
    pairs = {(name, variant) for name, variant, _ in rows(SEED)}
    drawn = {(full.lower(), short.lower())
             for full, shorts in population.NICKNAMES.items() for short in shorts}
    assert drawn - pairs == set()
