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
