"""The two learner systems' generator: one population on both sides, linked, with drift.

Pure Python (no database): the links are read back from the written files.
"""

from __future__ import annotations

import csv
import hashlib

import pytest

from loaders.devtools.generate import (
    SYNC_COLUMNS,
    SYNC_COMPARED,
    SYNC_FORMATS,
    generate_learner_systems,
    layout,
)


def read(paths) -> dict[str, list[dict]]:
    out = {}
    for fmt, path in paths.items():
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            assert tuple(reader.fieldnames) == tuple(c.name for c in layout(fmt)), fmt
            out[fmt] = list(reader)
    return out


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    folder = tmp_path_factory.mktemp("learner-systems")
    return read(generate_learner_systems(folder, 4000, seed=5))


def by(rows, key):
    return {r[key]: r for r in rows}


def test_eight_files_with_the_formats_columns(tmp_path):
    paths = generate_learner_systems(tmp_path, 30)
    assert set(paths) == set(SYNC_FORMATS)
    rows = read(paths)
    assert len(rows["a_learners"]) == 30
    assert len(rows["a_organisations"]) >= 3 and len(rows["a_officers"]) >= 3
    assert all(tuple(SYNC_COLUMNS[fmt]) == tuple(c.name for c in layout(fmt)) for fmt in paths)


def test_sizes_follow_the_number_of_learners(population):
    assert len(population["a_learners"]) == 4000
    assert len(population["a_organisations"]) == 100
    assert len(population["a_officers"]) == 160
    counts = {}
    for q in population["a_qualifications"]:
        counts[q["learner_id"]] = counts.get(q["learner_id"], 0) + 1
    assert set(counts.values()) == {1, 2, 3} and len(counts) == 4000
    seconds = sum(1 for q in population["a_qualifications"] if q["second_assessor_officer_id"])
    assert 0.7 < seconds / len(population["a_qualifications"]) < 0.9


def test_every_link_points_at_a_record_of_the_other_side_once(population):
    p = population
    b_learners = by(p["b_learners"], "b_learner_id")
    b_officers = by(p["b_officers"], "officer_id")
    b_orgs = by(p["b_organisations"], "org_id")
    a_learners = by(p["a_learners"], "learner_id")
    a_officers = by(p["a_officers"], "officer_id")
    a_orgs = by(p["a_organisations"], "org_id")
    for rows, ids in ((p["a_learners"], b_learners), (p["a_officers"], b_officers),
                      (p["a_organisations"], b_orgs)):
        link = next(c for c in rows[0] if c.startswith("b_"))
        linked = [r[link] for r in rows if r[link]]
        assert len(linked) == len(set(linked)) == len(ids)  # each B record linked once
        assert set(linked) == set(ids)
    # A few organisations and officers new on A, a share of learners enrolled on A only.
    assert 1 <= len(a_orgs) - len(b_orgs) <= 5 and 1 <= len(a_officers) - len(b_officers) <= 5
    unlinked = sum(1 for r in p["a_learners"] if not r["b_learner_id"])
    assert 15 <= unlinked <= 70  # 1% of 4000
    # Foreign ids of each side are that side's own.
    assert all(r["employer_org_id"] in a_orgs for r in p["a_learners"])
    assert all(r["employer_b_org_id"] in b_orgs for r in p["b_learners"])
    for side, learners, officers in (("a", a_learners, a_officers), ("b", b_learners, b_officers)):
        for q in p[f"{side}_qualifications"]:
            assert q["learner_id"] in learners and q["assessor_officer_id"] in officers
            assert q["second_assessor_officer_id"] in officers or not q["second_assessor_officer_id"]
    keys = [(q["learner_id"], q["qualification_code"]) for q in p["a_qualifications"]]
    assert len(keys) == len(set(keys))
    # A learner missing on B has no qualifications there.
    b_quals = {q["learner_id"] for q in p["b_qualifications"]}
    assert b_quals <= set(b_learners)


def test_about_the_differ_share_of_compared_fields_differ(population):
    p = population
    org_b = {r["org_id"]: r["b_org_id"] for r in p["a_organisations"]}
    officer_b = {r["officer_id"]: r["b_officer_id"] for r in p["a_officers"]}
    learner_b = {r["learner_id"]: r["b_learner_id"] for r in p["a_learners"]}
    as_b = {"employer_org_id": org_b, "assessor_officer_id": officer_b,
            "second_assessor_officer_id": officer_b}
    pairs = {
        "organisations": [(a, b) for a, b in _linked(p, "a_organisations", "b_organisations",
                                                   "org_id", "b_org_id", "org_id")],
        "officers": list(_linked(p, "a_officers", "b_officers", "officer_id", "b_officer_id",
                                 "officer_id")),
        "learners": list(_linked(p, "a_learners", "b_learners", "learner_id", "b_learner_id",
                                 "b_learner_id")),
    }
    b_quals = {(q["learner_id"], q["qualification_code"]): q for q in p["b_qualifications"]}
    pairs["qualifications"] = [(q, b_quals[(learner_b[q["learner_id"]], q["qualification_code"])])
                               for q in p["a_qualifications"] if learner_b[q["learner_id"]]]
    for entity, fields in SYNC_COMPARED.items():
        compared = differ = 0
        for a, b in pairs[entity]:
            for a_field, b_field in fields:
                a_value = a[a_field]
                if a_field in as_b:
                    a_value = as_b[a_field].get(a_value, "") if a_value else ""
                compared += 1
                differ += a_value != b[b_field]
        # Within four standard deviations of the binomial share.
        assert abs(differ / compared - 0.05) < 4 * (0.05 * 0.95 / compared) ** 0.5, (
            entity, differ, compared)
    # Drift is realistic: most differing names are a letter away.
    names = [(a["last_name"], b["last_name"]) for a, b in pairs["learners"]
             if a["last_name"] != b["last_name"]]
    close = sum(1 for x, y in names if abs(len(x) - len(y)) <= 1 and set(x) ^ set(y) <= {x[-1:]}
                or sorted(x) == sorted(y))
    assert 0.2 < close / len(names) < 0.8  # typos, the others changed surnames


def _linked(p, a_fmt, b_fmt, a_key, link, b_key):
    b_rows = by(p[b_fmt], b_key)
    for a in p[a_fmt]:
        if a[link]:
            yield a, b_rows[a[link]]


def test_no_drift_means_both_sides_agree(tmp_path):
    p = read(generate_learner_systems(tmp_path, 300, seed=2, differ=0.0, unlinked=0.0))
    b = by(p["b_learners"], "b_learner_id")
    for a in p["a_learners"]:
        assert (a["first_name"], a["email"], a["lrn"], a["risk"]) == (
            b[a["b_learner_id"]]["first_name"], b[a["b_learner_id"]]["email"],
            b[a["b_learner_id"]]["student_id"], b[a["b_learner_id"]]["coach_risk_score"])


def test_the_same_seed_writes_the_same_bytes_another_seed_does_not(tmp_path):
    def digest(folder, seed):
        paths = generate_learner_systems(folder, 500, seed=seed)
        return {fmt: hashlib.sha256(path.read_bytes()).hexdigest() for fmt, path in paths.items()}

    first = digest(tmp_path / "one", 3)
    assert digest(tmp_path / "two", 3) == first
    other = digest(tmp_path / "three", 4)
    assert all(other[fmt] != first[fmt] for fmt in SYNC_FORMATS)
