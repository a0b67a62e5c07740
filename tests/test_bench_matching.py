"""The person-matching benchmark's generator: its noise and its truth labels.

No database: the benchmark itself (benchmarks/bench_matching.py) is run by
hand; these prove the population and records it measures against are what
its docstring says.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from collections import Counter
from pathlib import Path

import pytest

# Loaded by path: putting benchmarks/ on sys.path would let its common.py
# shadow any other `common` for the rest of the session.
_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "matching_population.py"
_spec = importlib.util.spec_from_file_location("matching_population", _PATH)
mp = sys.modules.setdefault("matching_population", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(mp)

PERSONS, RECORDS = 20_000, 20_000


@pytest.fixture(scope="module")
def generated():
    return mp.generate(PERSONS, RECORDS, seed=7)


def _near(observed: int, n: int, share: float) -> bool:
    """Within 4 standard deviations of a binomial draw of that share."""
    return abs(observed - n * share) <= 4 * math.sqrt(n * share * (1 - share)) + 1


def test_noise_shares_as_configured(generated):
    population, records = generated
    counts = Counter(tag for r in records for tag in r.noise)
    for tag in ("typo_first", "typo_last", "swapped_names", "upper_case", "padded", "moved",
                "birth_invalid", "empty_name", "email_changed"):
        assert _near(counts[tag], RECORDS, mp.NOISE[tag]), (tag, counts[tag])
    # Conditional noise, as a share of the records it can apply to.
    by_id = {p.person_id: p for p in population}
    known = [by_id[r.true_person_id] for r in records if r.true_person_id]
    mine = [r for r in records if r.true_person_id]
    swappable = [r for r, p in zip(mine, known, strict=True)
                 if p.birth.day <= 12 and p.birth.day != p.birth.month]
    assert _near(sum("day_month_swap" in r.noise for r in swappable), len(swappable),
                 mp.NOISE["day_month_swap"])
    assert all(p.birth.day <= 12 for r, p in zip(mine, known, strict=True) if "day_month_swap" in r.noise)
    named = [r for r, p in zip(mine, known, strict=True) if p.first in mp.NICKNAMES]
    assert _near(sum("nickname" in r.noise for r in named), len(named), mp.NOISE["nickname"])
    assert _near(sum(r.true_person_id is None for r in records), RECORDS, mp.RECORD_OUTSIDE)
    assert _near(sum(bool(r.ssn) for r in records), RECORDS, mp.RECORD_HAS_SSN)


def test_records_without_noise_carry_their_persons_values(generated):
    population, records = generated
    by_id = {p.person_id: p for p in population}
    name_noise = {"nickname", "marriage", "hyphenation", "typo_first", "typo_last",
                  "swapped_names", "empty_name", "upper_case", "padded"}
    date_noise = {"day_month_swap", "birth_typo", "birth_invalid"}
    checked = 0
    for r in records:
        p = by_id.get(r.true_person_id)
        if p is None:
            continue
        if not r.noise & name_noise:
            assert (r.first_name, r.last_name) == (p.first, p.last)
            checked += 1
        if not r.noise & date_noise:
            assert r.birth_date == p.birth
        if "swapped_names" in r.noise and not r.noise & (name_noise - {"swapped_names"}):
            assert (r.first_name, r.last_name) == (p.last, p.first)
        if r.vendor_person_id == p.known_cb_id:
            assert p.known_cb_id is not None
    assert checked > 0.4 * RECORDS
    with_id = [r for r in records if by_id.get(r.true_person_id) and by_id[r.true_person_id].known_cb_id]
    carried = sum(r.vendor_person_id == by_id[r.true_person_id].known_cb_id for r in with_id)
    assert _near(carried, len(with_id), mp.RECORD_KNOWN_ID)


def test_twins_and_siblings_share_surname_and_address(generated):
    population, records = generated
    by_id = {p.person_id: p for p in population}
    twins = siblings = 0
    for r in records:
        true = by_id.get(r.true_person_id)
        if true is None or not r.family_person_ids:
            continue
        family = [true] + [by_id[o] for o in r.family_person_ids]
        assert len({m.last for m in family}) == 1
        assert len({(m.street, m.city, m.zip) for m in family}) == 1
        assert len({m.first for m in family}) == len(family)
        assert len({m.family_id for m in family}) == 1
        if r.has_twin:
            twins += 1
            assert any(m.birth == true.birth for m in family[1:])
        else:
            siblings += 1
            assert all(m.birth != true.birth for m in family[1:])
    assert twins > 0.02 * RECORDS and siblings > 0.1 * RECORDS
    # Some records of people not in the population are a relative of someone who is.
    outside_family = [r for r in records if r.true_person_id is None and r.family_person_ids]
    assert outside_family
    for r in outside_family:
        relative = by_id[r.family_person_ids[0]]
        assert relative.last.upper() in r.last_name.upper() or r.noise & {"marriage", "typo_last",
                                                                          "swapped_names",
                                                                          "hyphenation"}


def test_common_names_are_skewed(generated):
    population, _ = generated
    surnames = Counter(p.last for p in population)
    assert surnames.most_common(1)[0][0] == "Smith"
    # About its US share; households share a surname, so the spread is wider.
    assert 0.6 * 0.00828 * PERSONS < surnames["Smith"] < 1.5 * 0.00828 * PERSONS
    assert len(surnames) > PERSONS / 5  # and a long tail
    assert Counter(p.first for p in population)["John"] > PERSONS * 0.005
