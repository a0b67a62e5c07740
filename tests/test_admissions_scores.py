"""Admissions scores: the real vendor samples through `load` and `build`.

Each test loads files into a fresh database with the real CLI, builds the
admissions models with dbt and reads the score table, the errors model and
the marts.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest

from tests.helpers import SAMPLES, fixed_record, run_cli
from tests.pg import make_template

pytestmark = pytest.mark.skipif(not SAMPLES.exists(), reason="../shared/vendor-samples missing")

SAMPLE_FILES = {
    "act_csv": "act_sample.csv",
    "sat_csv": "sat_sample.csv",
    "ap_csv": "ap_sample_2324.csv",
    "preact_fixed": "preact_fixed_width.txt",
    "accuplacer_csv": "accuplacer_sample.csv",
}
ADMISSIONS = "+mart_admissions_load_audit +mart_scores_by_person +mart_score_errors"


def load(tmp_path, fmt, path, env=None):
    result = run_cli("load", fmt, str(path), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    return result


def build(tmp_path, env=None):
    result = run_cli("build", "--select", ADMISSIONS, cwd=tmp_path, timeout=900, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    return result


def scores(sql, test_code, person):
    rows = sql("select component_code, score, test_date, is_official from "
               "intermediate.int_admissions__scores where test_code = %s and "
               "vendor_person_id = %s order by test_date, component_code", (test_code, person))
    return [(c, float(s), d, o) for c, s, d, o in rows]


def csv_rows(name):
    with open(SAMPLES / name, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


MISSING = {"", "-", "--", "---"}


@pytest.fixture(scope="module")
def samples_template(pg_admin_url, tmp_path_factory):
    """Every vendor sample loaded and the admissions models built, once per module."""
    folder = tmp_path_factory.mktemp("samples")

    def prepare(url):
        env = {"SCOREBRIDGE_DATABASE_URL": url}
        for fmt, name in SAMPLE_FILES.items():
            load(folder, fmt, SAMPLES / name, env)
        build(folder, env)

    with make_template(pg_admin_url, prepare) as name:
        yield name


@pytest.fixture
def samples_loaded(request, tmp_path, sql):
    """The test's own copy of the samples template (the test is marked db_from)."""
    assert request.node.get_closest_marker("db_from"), "mark the test db_from('samples_template')"
    return tmp_path


# The test copies the samples template (make test runs with --dist loadscope:
# a module's tests share one worker, so the template is built once).
from_samples = pytest.mark.db_from("samples_template")


@from_samples
def test_act_sample_scores_are_exact(samples_loaded, sql):
    assert scores(sql, "ACT", "1234567891") == [
        # ACT's superscore block, each part dated by its own Sup_*_Dt.
        ("sup_english", 18, date(2024, 3, 1), True),
        ("sup_math", 16, date(2024, 3, 1), True),
        ("sup_science", 19, date(2024, 3, 1), True),
        ("composite", 16, date(2024, 9, 1), True),
        ("english", 15, date(2024, 9, 1), True),
        ("math", 14, date(2024, 9, 1), True),
        ("reading", 23, date(2024, 9, 1), True),
        ("science", 10, date(2024, 9, 1), True),
        ("stem", 12, date(2024, 9, 1), True),
        ("sup_composite", 19, date(2024, 9, 1), True),
        ("sup_reading", 23, date(2024, 9, 1), True),
    ]  # Writing blank and ELA "--": missing, not zero
    assert ("writing", 6, date(2025, 4, 1), True) in scores(sql, "ACT", "1234567895")
    # Every score cell of the file that is not a missing token is one row, no more.
    columns = {"Eng", "Mth", "Rdg", "Sci", "Composite", "STEM", "Writing", "ELA", "Sup_Eng_Sc",
               "Sup_Mth_Sc", "Sup_Rdg_Sc", "Sup_Sci_Sc", "Sup_Composite"}
    expected = sum(1 for row in csv_rows("act_sample.csv") for c in columns
                   if row[c].strip() not in MISSING)
    assert sql("select count(*) from intermediate.int_admissions__scores "
               "where test_code = 'ACT'")[0][0] == expected
    person = sql("select first_name, last_name, birth_date, gender_code, state_code, "
                 "grade_level_code from intermediate.int_admissions__scores "
                 "where vendor_person_id = '1234567891' limit 1")[0]
    assert person == ("FIRST1", "LAST1", date(2006, 1, 1), "F", "SC", "11")


@from_samples
def test_sat_sample_counts_every_administration(samples_loaded, sql):
    assert [(c, s, d) for c, s, d, _ in scores(sql, "SAT", "300a") if c == "total"] == [
        ("total", 830, date(2022, 5, 7)),
        ("total", 840, date(2022, 8, 27)),
        ("total", 850, date(2022, 10, 1)),
        ("total", 880, date(2024, 10, 12)),
    ]
    # LATEST_SAT_DATE written 2015-10-12 (ISO) and 10/12/2015 in one column.
    assert ("total", 930, date(2015, 10, 12), True) in scores(sql, "SAT", "200a")
    assert ("total", 1310, date(2015, 10, 12), True) in scores(sql, "SAT", "100a")
    expected = 0
    for row in csv_rows("sat_sample.csv"):
        for prefix in ("LATEST", "ADMIN2", "ADMIN3", "ADMIN4", "ADMIN5", "ADMIN6"):
            for part in ("TOTAL", "EBRW", "MATH_SECTION"):
                expected += row[f"{prefix}_SAT_{part}"].strip() not in MISSING
    assert sql("select count(*) from intermediate.int_admissions__scores "
               "where test_code = 'SAT'")[0][0] == expected


@from_samples
def test_ap_sample_counts_every_exam_slot(samples_loaded, sql):
    assert scores(sql, "AP", "605003") == [
        ("36", 2, date(2022, 5, 1), True),
        ("34", 4, date(2023, 5, 1), True),
        ("100001", 4, date(2024, 5, 1), True),
    ]
    names = dict(sql("select component_code, component from intermediate.int_admissions__scores "
                     "where test_code = 'AP'"))
    assert names["36"] == "English Language and Composition"
    assert names["100001"] == "Unknown AP exam"
    expected = sum(1 for row in csv_rows("ap_sample_2324.csv") for n in range(1, 31)
                   if row[f"Exam Grade {n:02d}"].strip() not in MISSING)
    assert sql("select count(*) from intermediate.int_admissions__scores "
               "where test_code = 'AP'")[0][0] == expected
    # Birth date MMDDYY: 120108 is 1 December 2008 (this century), 120207 2007.
    assert sql("select distinct birth_date from intermediate.int_admissions__scores "
               "where test_code = 'AP' and vendor_person_id = '605000'") == [(date(2008, 12, 1),)]
    # Codes missing from the crosswalk are error rows, and the scores still count.
    missing = sql("select field_name, field_value from marts.mart_score_errors "
                  "where rule = 'not_in_crosswalk' and format_name = 'ap_csv' order by 2")
    assert ("Exam Code 01", "100001") in missing and ("Exam Code 02", "70") in missing


@from_samples
def test_preact_fixed_width_scores_and_errors(samples_loaded, sql):
    assert scores(sql, "PREACT", "605000") == [
        ("composite", 12, date(2020, 10, 7), False),
        ("english", 8, date(2020, 10, 7), False),
        ("math", 13, date(2020, 10, 7), False),
        ("reading", 14, date(2020, 10, 7), False),
        ("science", 12, date(2020, 10, 7), False),
        ("stem", 13, date(2020, 10, 7), False),
    ]
    # The same records as CSV agree with the fixed-width parse.
    with open(SAMPLES / "preact_same_records.csv", newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            got = sql("select score from intermediate.int_admissions__scores where "
                      "test_code = 'PREACT' and vendor_person_id = %s and "
                      "component_code = 'composite'", (row["Stu_ID_Num"],))
            assert got == [(Decimal(row["Composite"]),)]
    # A birth date in 2049 is an error row with file, line, field, value and rule.
    assert sql("select line_number, field_name, field_value, rule from marts.mart_score_errors "
               "where format_name = 'preact_fixed' and field_name = 'DOB'") == [
        (4, "DOB", "20490426", "future_date")]


@from_samples
def test_accuplacer_sessions_all_count(samples_loaded, sql):
    assert scores(sql, "ACCUPLACER", "300") == [
        ("qas", 203, date(2024, 5, 1), True),
        ("writing", 232, date(2024, 5, 1), True),
    ]
    assert sql("select count(*) from intermediate.int_admissions__scores "
               "where test_code = 'ACCUPLACER'")[0][0] == 7


@from_samples
def test_marts_and_audit(samples_loaded, sql):
    audit = {r[0]: r[1:] for r in sql(
        "select file_name, rows_read, rows_parsed, rows_quarantined, scores_loaded, "
        "is_quarantined from marts.mart_admissions_load_audit")}
    assert audit["act_sample.csv"] == (5, 5, 0, 61, False)  # 36 and the 25 of the Sup_ block
    assert audit["ap_sample_2324.csv"][:3] == (6, 6, 0)
    assert sql("select count(*) from marts.mart_file_quarantine")[0][0] == 0
    best = sql("select best_score, latest_score, latest_test_date, scores_received "
               "from marts.mart_scores_by_person where test_code = 'SAT' "
               "and vendor_person_id = '300a' and component_code = 'total'")
    assert best == [(Decimal(880), Decimal(880), date(2024, 10, 12), 4)]


def shifted_copy(src, dst, shift=5):
    text = src.read_text(encoding="utf-8")
    dst.write_text("\n".join(" " * shift + line for line in text.split("\n")), encoding="utf-8")
    return dst


def without_column(src, dst, column):
    rows = list(csv.reader(open(src, newline="", encoding="utf-8-sig")))
    drop = rows[0].index(column)
    with open(dst, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([r[:drop] + r[drop + 1:] for r in rows])
    return dst


def test_drifted_files_are_quarantined_whole(tmp_path, sql):
    load(tmp_path, "act_csv", SAMPLES / "act_sample.csv")
    load(tmp_path, "preact_fixed", shifted_copy(SAMPLES / "preact_fixed_width.txt",
                                                tmp_path / "preact_shifted.txt"))
    load(tmp_path, "sat_csv", without_column(SAMPLES / "sat_sample.csv",
                                             tmp_path / "sat_no_total.csv", "LATEST_SAT_TOTAL"))
    build(tmp_path)
    quarantine = dict(sql("select file_name, reason from marts.mart_file_quarantine"))
    assert set(quarantine) == {"preact_shifted.txt", "sat_no_total.csv"}
    assert "5 of 5 records are not 1145 characters long" in quarantine["preact_shifted.txt"]
    assert "LATEST_SAT_TOTAL" in quarantine["sat_no_total.csv"]
    # None of their rows reach the score table; the good file is untouched.
    assert sql("select distinct test_code from intermediate.int_admissions__scores") == [("ACT",)]
    audit = dict(sql("select file_name, rows_quarantined from marts.mart_admissions_load_audit"))
    assert audit == {"act_sample.csv": 0, "preact_shifted.txt": 5, "sat_no_total.csv": 5}
    status = run_cli("status", cwd=tmp_path, env={"COLUMNS": "300"})
    assert "preact_shifted.txt" in status.stdout and "sat_no_total.csv" in status.stdout


def act_with_bad_dates(tmp_path, name, bad_rows):
    rows = list(csv.reader(open(SAMPLES / "act_sample.csv", newline="", encoding="utf-8-sig")))
    dob = rows[0].index("DOB")
    for row in rows[1:1 + bad_rows]:
        row[dob] = "13452006"  # month 13: a shifted layout's garbage date
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def test_unparseable_share_above_threshold_quarantines_a_file(tmp_path, sql):
    # The ACT sample has 91 dates and scores (its Sup_ superscore block
    # included): 1 bad date is 1.1%, 5 (every row's) are 5.5% (> 5%).
    load(tmp_path, "act_csv", act_with_bad_dates(tmp_path, "act_one_bad.csv", 1))
    load(tmp_path, "act_csv", act_with_bad_dates(tmp_path, "act_five_bad.csv", 5))
    build(tmp_path)
    assert sql("select file_name, rules from marts.mart_file_quarantine") == [
        ("act_five_bad.csv", "unparseable_values")]
    errors = sql("select file_name, line_number, field_value, rule from marts.mart_score_errors "
                 "where field_name = 'DOB' order by 1, 2")
    assert errors == [*[("act_five_bad.csv", line, "13452006", "not_a_date")
                        for line in range(2, 7)],
                      ("act_one_bad.csv", 2, "13452006", "not_a_date")]
    # The file under the threshold loads; its bad-date scores are flagged, not dropped.
    flagged = sql("select count(*) from intermediate.int_admissions__scores "
                  "where file_name = 'act_one_bad.csv' and has_error")[0][0]
    assert flagged == 0  # a bad birth date does not make the scores wrong
    assert sql("select count(*) from intermediate.int_admissions__scores "
               "where file_name = 'act_five_bad.csv'")[0][0] == 0


def snapshot(sql):
    return (sql("select format_name, file_id, line_number, field_name, score, test_date "
                "from intermediate.int_admissions__scores order by 1, 2, 3, 4"),
            sql("select * from marts.mart_scores_by_person order by 1"),
            sql("select error_id, rule from marts.mart_score_errors order by 1"),
            sql("select * from marts.mart_file_quarantine order by 1"))


@from_samples
def test_duplicates_count_once_and_reruns_change_nothing(samples_loaded, sql):
    # The template has act_sample.csv (and the other samples) loaded and built.
    tmp_path = samples_loaded
    first = snapshot(sql)
    assert any(fmt == "act_csv" for fmt, *_ in first[0])
    # The same records again in another file (different bytes: CRLF line ends),
    # and one record twice within a file.
    text = (SAMPLES / "act_sample.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    (tmp_path / "act_again.csv").write_text("\r\n".join(lines + [lines[1]]) + "\r\n",
                                            encoding="utf-8")
    load(tmp_path, "act_csv", tmp_path / "act_again.csv")
    # The models only: the data tests ran when the template was built.
    run_models(tmp_path)
    again = snapshot(sql)
    assert again[0] == first[0]  # every score still comes from the first file
    assert again[1] == first[1]  # rebuilt_at too: no score was written again
    run_models(tmp_path)
    assert snapshot(sql) == again


def run_models(tmp_path):
    result = run_cli("dbt", "run", "--select", ADMISSIONS, cwd=tmp_path, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr


GRE_WIDTH = 500


def gre_record(reg, blocks, test_date="10152025"):
    fields = {1: "5812", 105: "DOE", 137: "JANE", 332: "01022001", 410: reg, 417: test_date,
              427: "GENERAL"}
    for i, (kind, score) in enumerate(blocks):
        fields[447 + 9 * i] = f"{kind}{score:>3}50{score:>3}"
    return fixed_record(GRE_WIDTH, fields)


def test_gre_and_gmat_ranges(tmp_path, sql):
    gre = tmp_path / "gre.dat"
    gre.write_text("\n".join([
        gre_record("1000001", [("V", "160"), ("Q", "171"), ("W", "045")]),
        gre_record("1000002", [("V", "150"), ("Q", "155"), ("W", "047")], "02302025"),
    ]) + "\n", encoding="utf-8")
    gmat = tmp_path / "gmat.csv"
    gmat.write_text(
        "GMAC_ID,LastName,FirstName,BirthDate,TestDate,Edition,Total,Quant,Verbal,"
        "DataInsights,TotalPercentile,Expired\n"
        "G1,Doe,Jane,2000-01-02,2025-03-04,FOCUS,655,80,85,--,88,N\n"
        "G2,Roe,Rick,2000-01-03,03/05/2025,FOCUS,650,80,85,79,88,Y\n"
        "G3,Poe,Edna,2000-01-04,2025-03-06,CLASSIC,650,40,35,,80,N\n", encoding="utf-8")
    load(tmp_path, "gre_fixed", gre)
    load(tmp_path, "gmat_csv", gmat)
    build(tmp_path)
    assert scores(sql, "GRE", "1000001") == [
        ("Q", 171, date(2025, 10, 15), True),
        ("V", 160, date(2025, 10, 15), True),
        ("W", 4.5, date(2025, 10, 15), True),
    ]
    errors = sql("select line_number, field_name, field_value, rule from marts.mart_score_errors "
                 "order by 1, 2")
    assert (1, "score_2_scaled", "171.0", "out_of_range") in errors  # GRE quant above 170
    assert (2, "score_3_scaled", "4.7", "out_of_range") in errors  # writing not in halves
    assert (2, "test_date", "02302025", "not_a_date") in errors  # 30 February
    assert (3, "Total", "650.0", "out_of_range") in errors  # FOCUS totals end in 5
    assert not [e for e in errors if e[0] == 4]  # CLASSIC 650 is fine
    gmat_rows = sql("select vendor_person_id, component_code, is_official, has_error "
                    "from intermediate.int_admissions__scores where test_code = 'GMAT' "
                    "order by 1, 2")
    assert ("G1", "total", True, False) in gmat_rows
    assert ("G2", "total", False, True) in gmat_rows  # expired, and 650 is no FOCUS total
    assert ("G1", "data_insights") not in [r[:2] for r in gmat_rows]  # "--" is missing
