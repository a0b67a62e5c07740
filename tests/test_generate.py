"""The generator writes files that look like the vendors' layouts."""

import csv

import pytest

from loaders.devtools.generate import formats, generate, generate_people, layout
from tests.helpers import SAMPLES

VENDOR_SAMPLES = {"act_csv": "act_sample.csv", "sat_csv": "sat_sample.csv",
                  "ap_csv": "ap_sample_2324.csv", "accuplacer_csv": "accuplacer_sample.csv"}


@pytest.mark.parametrize("fmt", formats())
def test_every_format_has_its_layout_header_or_record_length(fmt, tmp_path):
    path = generate(fmt, tmp_path / "f", 40, seed=3)
    columns = layout(fmt)
    if fmt in ("preact_fixed", "gre_fixed"):
        lines = path.read_text(encoding="utf-8").split("\n")[:-1]
        assert len(lines) == 40
        assert {len(line) for line in lines} == {1145 if fmt == "preact_fixed" else 500}
        assert all(line.isascii() for line in lines)
    else:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        assert rows[0] == [c.name for c in columns]
        assert len(rows) == 41 and {len(r) for r in rows} == {len(columns)}


@pytest.mark.skipif(not SAMPLES.exists(), reason="vendor samples missing")
@pytest.mark.parametrize("fmt,sample", VENDOR_SAMPLES.items())
def test_vendor_headers_match_the_real_samples(fmt, sample, tmp_path):
    with open(SAMPLES / sample, newline="", encoding="utf-8-sig") as f:
        real = [h.strip() for h in next(csv.reader(f))]
    with open(generate(fmt, tmp_path / "g.csv", 3), newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == real


@pytest.mark.skipif(not SAMPLES.exists(), reason="vendor samples missing")
def test_preact_positions_are_the_published_colspecs():
    with open(SAMPLES / "preact_colspecs.csv", newline="") as f:
        specs = [(int(r["start_index"]) + 1, int(r["end_index"])) for r in csv.DictReader(f)]
    assert [(c.start, c.end) for c in layout("preact_fixed")] == specs


def test_scores_are_in_range_and_fields_parse_back(tmp_path):
    cols = {c.name: c for c in layout("preact_fixed")}
    comp = cols["Composite"]
    for line in generate("preact_fixed", tmp_path / "p.txt", 200).read_text().splitlines():
        assert 1 <= int(line[comp.start - 1:comp.end]) <= 35
    gre = {c.name: c for c in layout("gre_fixed")}
    for line in generate("gre_fixed", tmp_path / "g.txt", 100).read_text().splitlines():
        verbal = gre["score_1_scaled"]
        assert line[gre["score_1_type"].start - 1] == "V"
        assert 130 <= int(line[verbal.start - 1:verbal.end]) <= 170
    with open(generate("sat_csv", tmp_path / "s.csv", 200), newline="") as f:
        for row in csv.DictReader(f):
            total = int(row["LATEST_SAT_TOTAL"])
            assert 400 <= total <= 1600
            assert total == int(row["LATEST_SAT_EBRW"]) + int(row["LATEST_SAT_MATH_SECTION"])


def test_deterministic_for_a_seed_and_options_honoured(tmp_path):
    a = generate("persons", tmp_path / "a.csv", 30, seed=5).read_bytes()
    b = generate("persons", tmp_path / "b.csv", 30, seed=5).read_bytes()
    c = generate("persons", tmp_path / "c.csv", 30, seed=6).read_bytes()
    assert a == b and a != c
    cp = generate("persons", tmp_path / "d.csv", 30, seed=5, encoding="cp1252").read_bytes()
    assert cp.decode("cp1252").encode("utf-8") == a  # same text, other encoding
    raw = generate("persons", tmp_path / "e.csv", 3, seed=5, bom=True, newline="\r\n",
                   final_newline=False).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfperson_id,") and b"\r\n" in raw
    assert not raw.endswith(b"\n") and raw.count(b"\r\n") == 3


def test_people_files_agree_with_each_other(tmp_path):
    people = generate_people(20, seed=1)
    for fmt in ("persons", "applications", "prometric_results"):
        generate(fmt, tmp_path / f"{fmt}.csv", 20, seed=1, people=people)
    read = {f: list(csv.DictReader(open(tmp_path / f"{f}.csv", newline="", encoding="utf-8")))
            for f in ("persons", "applications", "prometric_results")}
    person_ids = {r["person_id"] for r in read["persons"]}
    apps = {r["application_id"]: r for r in read["applications"]}
    assert {r["person_id"] for r in apps.values()} <= person_ids
    for result in read["prometric_results"]:
        assert apps[result["EligibilityID"]]["exam_code"] == result["ExamCode"]
        # CandidateID is the person id the eligibility file sent (FORMATS.md).
        assert apps[result["EligibilityID"]]["person_id"] == result["CandidateID"]


def test_legacy_certification_files_agree_with_each_other(tmp_path):
    from loaders.devtools.generate import CERT_FORMATS, generate_cert_catalogue

    catalogue = generate_cert_catalogue(12, 60, seed=2)
    people = generate_people(50, seed=2)
    read = {}
    for fmt in CERT_FORMATS:
        path = generate(fmt, tmp_path / f"{fmt}.csv", 400, seed=2, people=people,
                        catalogue=catalogue)
        read[fmt] = list(csv.DictReader(open(path, newline="", encoding="utf-8")))
    programs = {r["program_code"]: r for r in read["legacy_cert_programs"]}
    components = {r["component_code"] for r in read["legacy_cert_components"]}
    assert len(programs) == 12 and len(components) == 60
    links = {(r["program_code"], r["component_code"])
             for r in read["legacy_cert_program_components"]}
    assert {p for p, _ in links} == set(programs) and {c for _, c in links} <= components
    registrations = read["legacy_cert_registrations"]
    assert len(registrations) == 400
    assert len({r["seqn"] for r in registrations}) == 400
    off_program = [r for r in registrations if (r["program_code"], r["component_code"]) not in links]
    assert 0 < len(off_program) < 40  # a few warnings, never an unknown code
    assert {r["component_code"] for r in registrations} <= components
    for r in registrations:
        completed = r["status"] == "Completed"
        assert r["status"] in ("Registered", "Completed", "Cancelled")
        assert bool(r["completed_on"]) == completed == bool(r["grade"])
        if completed:
            assert r["registered_on"] <= r["completed_on"] <= "2025-09-01"
    # Legacy fields: some filled, some empty, in every optional column.
    for column in ("established", "industry_code", "uf_1", "coordinators", "notes"):
        values = [p[column] for p in programs.values()]
        assert any(values) and not all(values), column
