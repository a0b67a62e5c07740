"""Admissions layout versions: each file is read with the version it carries.

Two databases, one build each: the current ACT sample, the same records in the
older act_csv 2023 layout (STEM absent, test date headed ``Test_Date``), an ACT
file without ``Composite`` (no version fits), GRE records in the 2022 (500
characters) and the older 2021 (400 characters) fixed-width layouts, and a GRE
file of 450-character records (no version fits).
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest

from tests.helpers import SAMPLES, fixed_record
from tests.test_admissions_scores import MISSING, build, csv_rows, gre_record, load, scores

pytestmark = pytest.mark.skipif(not SAMPLES.exists(), reason="../shared/vendor-samples missing")

ACT_SCORES = {"Eng": "english", "Mth": "math", "Rdg": "reading", "Sci": "science",
              "Composite": "composite", "STEM": "stem", "ELA": "ela", "Writing": "writing",
              "Sup_Eng_Sc": "sup_english", "Sup_Mth_Sc": "sup_math", "Sup_Rdg_Sc": "sup_reading",
              "Sup_Sci_Sc": "sup_science", "Sup_Composite": "sup_composite"}
# A Sup_ part is dated by its own column; the others (Sup_Composite too) by Test_Dte.
ACT_DATES = {"Sup_Eng_Sc": "Sup_Eng_Dt", "Sup_Mth_Sc": "Sup_Mth_Dt", "Sup_Rdg_Sc": "Sup_Rdg_Dt",
             "Sup_Sci_Sc": "Sup_Sci_Dt"}


def act_variant(dst, id_prefix, drop=(), rename=None):
    """The ACT sample with columns dropped or renamed and person ids prefixed,
    so its scores are not duplicates of the sample's."""
    rows = list(csv.reader(open(SAMPLES / "act_sample.csv", newline="", encoding="utf-8-sig")))
    header = rows[0]
    keep = [i for i, name in enumerate(header) if name not in drop]
    id_col = header.index("ID_ACT")
    out = [[(rename or {}).get(header[i], header[i]) for i in keep]]
    for row in rows[1:]:
        row = list(row)
        row[id_col] = id_prefix + row[id_col]
        out.append([row[i] for i in keep])
    with open(dst, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(out)
    return dst


def expected_act(id_prefix, columns):
    """(person, component, score, test date) of every score cell of the sample."""
    expected = set()
    for row in csv_rows("act_sample.csv"):
        for column in columns:
            raw = row[ACT_DATES.get(column, "Test_Dte")]  # MMYYYY: the 1st of the month
            tested = date(int(raw[2:]), int(raw[:2]), 1)
            if row[column].strip() not in MISSING:
                expected.add((id_prefix + row["ID_ACT"], ACT_SCORES[column],
                              Decimal(row[column].strip()), tested))
    return expected


def act_scores_of(sql, file_name):
    return set(sql("select vendor_person_id, component_code, score, test_date "
                   "from intermediate.int_admissions__scores where file_name = %s", (file_name,)))


GRE_2021_WIDTH = 400


def gre_2021_record(reg, blocks, test_date):
    """A record in the older, packed GRE layout (layout_columns gre_fixed 2021)."""
    fields = {1: "5812", 5: "DOE", 37: "JOHN", 61: "03042000", 69: reg, 76: test_date,
              84: "GENERAL"}
    for i, (kind, score) in enumerate(blocks):
        fields[104 + 9 * i] = f"{kind}{score:>3}50{score:>3}"
    return fixed_record(GRE_2021_WIDTH, fields)


def test_act_files_are_read_with_their_layout_version(tmp_path, sql):
    load(tmp_path, "act_csv", SAMPLES / "act_sample.csv")
    load(tmp_path, "act_csv", act_variant(tmp_path / "act_2023.csv", "9", drop={"STEM"},
                                          rename={"Test_Dte": "Test_Date"}))
    load(tmp_path, "act_csv", act_variant(tmp_path / "act_no_composite.csv", "8",
                                          drop={"Composite"}))
    build(tmp_path)
    audit = {r[0]: r[1:] for r in sql(
        "select file_name, layout_version, layout_match, is_quarantined "
        "from marts.mart_admissions_load_audit")}
    assert audit == {
        "act_sample.csv": ("2024", "header", False),
        "act_2023.csv": ("2023", "header", False),
        # Matches no version: read with the one covering today, and quarantined.
        "act_no_composite.csv": ("2024", "received_date", True),
    }
    # The parsed rows carry the version; a column the version lacks is null.
    rows = sql("select layout_version, count(*), count(stem__text), count(test_dte__text), "
               "count(test_date__text) from intermediate.int_admissions__act_parsed "
               "group by layout_version order by 1")
    assert rows[0] == ("2023", 5, 0, 0, 5)
    assert rows[1][:2] == ("2024", 10) and rows[1][2] > 0 and rows[1][3:] == (10, 0)

    # The older layout's file loads with the right scores...
    old = act_scores_of(sql, "act_2023.csv")
    assert old == expected_act("9", [c for c in ACT_SCORES if c != "STEM"])
    assert sorted((c, s) for p, c, s, _ in old if p == "91234567891") == [
        ("composite", 16), ("english", 15), ("math", 14), ("reading", 23), ("science", 10),
        ("sup_composite", 19), ("sup_english", 18), ("sup_math", 16), ("sup_reading", 23),
        ("sup_science", 19)]
    # ...and the current sample still loads exactly, STEM included.
    assert act_scores_of(sql, "act_sample.csv") == expected_act("", list(ACT_SCORES))
    assert ("stem", 12, date(2024, 9, 1), True) in scores(sql, "ACT", "1234567891")

    # A header that fits no version is quarantined, naming what it lacks.
    assert sql("select file_name, reason from marts.mart_file_quarantine") == [(
        "act_no_composite.csv",
        "CSV header matches no layout version of act_csv; "
        "it lacks columns of version 2024: Composite")]
    assert act_scores_of(sql, "act_no_composite.csv") == set()


def test_gre_files_are_read_with_the_version_of_their_record_length(tmp_path, sql):
    gre_2022 = tmp_path / "gre_2022.dat"
    gre_2022.write_text(gre_record("1000001", [("V", "160"), ("Q", "165"), ("W", "045")])
                        + "\n", encoding="utf-8")
    gre_2021 = tmp_path / "gre_2021.dat"
    gre_2021.write_text("\n".join([
        gre_2021_record("2000001", [("V", "155"), ("Q", "161"), ("W", "040")], "10152021"),
        gre_2021_record("2000002", [("Q", "150")], "11202021"),
    ]) + "\n", encoding="utf-8")
    gre_450 = tmp_path / "gre_450.dat"
    gre_450.write_text(gre_record("3000001", [("V", "150")])[:450] + "\n", encoding="utf-8")
    for path in (gre_2022, gre_2021, gre_450):
        load(tmp_path, "gre_fixed", path)
    build(tmp_path)
    audit = {r[0]: r[1:] for r in sql(
        "select file_name, layout_version, layout_match, is_quarantined "
        "from marts.mart_admissions_load_audit")}
    assert audit == {
        "gre_2022.dat": ("2022", "record_length", False),
        "gre_2021.dat": ("2021", "record_length", False),
        "gre_450.dat": ("2022", "received_date", True),
    }
    assert scores(sql, "GRE", "2000001") == [
        ("Q", 161, date(2021, 10, 15), True),
        ("V", 155, date(2021, 10, 15), True),
        ("W", 4.0, date(2021, 10, 15), True),
    ]
    assert scores(sql, "GRE", "2000002") == [("Q", 150, date(2021, 11, 20), True)]
    assert scores(sql, "GRE", "1000001") == [
        ("Q", 165, date(2025, 10, 15), True),
        ("V", 160, date(2025, 10, 15), True),
        ("W", 4.5, date(2025, 10, 15), True),
    ]
    person = sql("select distinct first_name, last_name, birth_date "
                 "from intermediate.int_admissions__scores where vendor_person_id = '2000001'")
    assert person == [("JOHN", "DOE", date(2000, 3, 4))]
    assert not sql("select * from marts.mart_score_errors where file_name = 'gre_2021.dat'")
    # 450-character records fit no version: quarantined against the current one.
    quarantine = sql("select file_name, reason from marts.mart_file_quarantine")
    assert [q[0] for q in quarantine] == ["gre_450.dat"]
    assert quarantine[0][1].startswith(
        "1 of 1 records are not 500 characters long (layout version 2022")
    assert scores(sql, "GRE", "3000001") == []


def gre_file(path, records, short_lines):
    """A GRE 2022 file of ``records`` records; those at ``short_lines`` are cut
    to 450 characters."""
    lines = []
    for line in range(1, records + 1):
        record = gre_record(f"{4000000 + line}", [("V", "150")])
        lines.append(record[:450] if line in short_lines else record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_few_wrong_length_records_are_flagged_and_the_rest_lands(tmp_path, sql):
    # 1 short record in 200 is under admissions_max_unparsed_share (5%): the file
    # lands, that record is an error row. 20 in 200 is over it: the file is quarantined.
    load(tmp_path, "gre_fixed", gre_file(tmp_path / "gre_one_short.dat", 200, {57}))
    load(tmp_path, "gre_fixed", gre_file(tmp_path / "gre_many_short.dat", 200,
                                         set(range(1, 200, 10))))
    build(tmp_path)
    quarantine = sql("select file_name, reason from marts.mart_file_quarantine")
    assert [q[0] for q in quarantine] == ["gre_many_short.dat"]
    assert quarantine[0][1].startswith("20 of 200 records are not 500 characters long")
    assert "more than 5" in quarantine[0][1]

    errors = sql("select line_number, field_name, field_value, rule, is_file_quarantined "
                 "from marts.mart_score_errors where file_name = 'gre_one_short.dat'")
    assert errors == [(57, "record", "450", "record_length", False)]
    people = {p for (p,) in sql(
        "select vendor_person_id from intermediate.int_admissions__scores "
        "where file_name = 'gre_one_short.dat'")}
    assert len(people) == 199 and "4000057" not in people and "4000058" in people
    audit = sql("select rows_read, rows_flagged, is_quarantined from "
                "marts.mart_admissions_load_audit where file_name = 'gre_one_short.dat'")
    assert audit == [(200, 1, False)]
