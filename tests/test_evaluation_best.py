"""Best scores, superscores and purpose codes (docs/evaluation.md) against a real
build: one template (persons matched by their known ids, an ACT file with two
sittings of one person and ACT's superscore block, a SAT file with two
sittings, an indicators file), built once; then a changed indicators file and
a new SAT sitting, built again on it, to see the marks move and the history
keep the old ones.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest

from tests.helpers import SAMPLES, run_cli
from tests.pg import make_template, with_dbname
from tests.test_matching_decisions import ok, sat_file, write

PERSONS = ("person_id,last_name,first_name,middle_name,birth_date,email,ssn,gender,street1,"
           "street2,city,state,zip,country\n"
           "P01,Able,Ann,,2007-01-01,,,F,1 Main St,,Columbia,SC,29201,US\n"
           "P02,Baker,Ben,,2006-05-05,,,M,2 Oak Ave,,Austin,TX,78701,US\n"
           "P03,Cole,Cara,,2006-07-07,,,F,3 Elm St,,Boise,ID,83702,US\n")
PERSON_IDS = ("person_id,id_type,id_value\n"
              "P01,ACT,A0000001\nP01,CB,CB0001\nP02,CB,CB0002\n")
INDICATORS1 = "person_id,indicator,test_letter\nP01,TIUG,A\nP02,TIUG,S\nP03,TIGR,M\n"
# The letter changes for P01; P02 and P03 stay as they were.
INDICATORS2 = "person_id,indicator,test_letter\nP01,TIUG,S\nP02,TIUG,S\nP03,TIGR,M\n"

ACT_PERSON = {"ID_ACT": "A0000001", "F_Name": "Ann", "L_Name": "Able", "DOB": "01012007"}
# ACT saw a third sitting we never received: its superscore is 25, ours 24.
SUPER = {"Sup_Eng_Dt": "122024", "Sup_Eng_Sc": "26", "Sup_Mth_Dt": "092024",
         "Sup_Mth_Sc": "22", "Sup_Rdg_Dt": "092024", "Sup_Rdg_Sc": "25", "Sup_Sci_Dt": "102024",
         "Sup_Sci_Sc": "25", "Sup_Composite": "25"}
ACT = [
    ACT_PERSON | {"Test_Dte": "092024", "Eng": "20", "Mth": "22", "Rdg": "25", "Sci": "21",
                  "Composite": "22"} | SUPER,
    ACT_PERSON | {"Test_Dte": "102024", "Eng": "23", "Mth": "21", "Rdg": "24", "Sci": "25",
                  "Composite": "23"} | SUPER,
]
# P01's two SAT sittings tie on the total (1310): the earlier one is best.
SAT1 = [
    {"CB_ID": "CB0001", "NAME_FIRST": "Ann", "NAME_LAST": "Able", "BIRTH_DATE": "1/1/2007",
     "LATEST_SAT_DATE": "10/12/2025", "LATEST_SAT_TOTAL": "1310", "LATEST_SAT_EBRW": "670",
     "LATEST_SAT_MATH_SECTION": "640", "ADMIN2_SAT_DATE": "3/8/2025",
     "ADMIN2_SAT_TOTAL": "1310", "ADMIN2_SAT_EBRW": "610", "ADMIN2_SAT_MATH_SECTION": "700"},
    {"CB_ID": "CB0002", "NAME_FIRST": "Ben", "NAME_LAST": "Baker", "BIRTH_DATE": "5/5/2006",
     "LATEST_SAT_DATE": "10/12/2025", "LATEST_SAT_TOTAL": "1200", "LATEST_SAT_EBRW": "600",
     "LATEST_SAT_MATH_SECTION": "600"},
]
# P02's new sitting, a new best total.
SAT2 = [
    {"CB_ID": "CB0002", "NAME_FIRST": "Ben", "NAME_LAST": "Baker", "BIRTH_DATE": "5/5/2006",
     "LATEST_SAT_DATE": "3/14/2026", "LATEST_SAT_TOTAL": "1400", "LATEST_SAT_EBRW": "690",
     "LATEST_SAT_MATH_SECTION": "710"},
]
BUILD = ("dbt", "build", "--select", "+models/marts/evaluation", "--exclude-resource-type",
         "test", "--exclude-resource-type", "unit_test")
AGAIN = (*BUILD, "--exclude-resource-type", "seed")
FIRST: dict[str, list] = {}
MARKS = ("select person_id, indicator, test_letter, test_code, component, is_marked, score, "
         "test_date, file_name, unmarkable_reason from marts.mart_purpose_codes "
         "order by person_id, indicator")


def act_file(path: Path, records: list[dict]) -> Path:
    """An ACT file with the sample's header and only these values."""
    with open(SAMPLES / "act_sample.csv", newline="", encoding="utf-8-sig") as f:
        header = next(csv.reader(f))
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, restval="")
        writer.writeheader()
        writer.writerows(records)
    return path


def _query(url: str, query: str):
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(query)
            return cur.fetchall()
    finally:
        conn.close()


def prepare(folder: Path, url: str) -> None:
    env = {"SCOREBRIDGE_DATABASE_URL": url}

    def cli(*args):
        return ok(run_cli(*args, cwd=folder, env=env, timeout=900))

    cli("load", "persons", str(write(folder, "persons.csv", PERSONS)))
    cli("load", "person_ids", str(write(folder, "person_ids.csv", PERSON_IDS)))
    cli("load", "act_csv", str(act_file(folder / "act.csv", ACT)))
    cli("load", "sat_csv", str(sat_file(folder / "sat1.csv", SAT1)))
    cli("load", "admission_test_indicators",
        str(write(folder, "indicators1.csv", INDICATORS1)))
    cli(*BUILD)
    FIRST["marks"] = _query(url, MARKS)
    FIRST["best"] = _query(url, "select * from marts.mart_best_scores order by 1, 2, 3, 4")
    cli("load", "admission_test_indicators",
        str(write(folder, "indicators2.csv", INDICATORS2)))
    cli("load", "sat_csv", str(sat_file(folder / "sat2.csv", SAT2)))
    cli(*AGAIN)


@pytest.fixture(scope="module")
def q(pg_admin_url, tmp_path_factory):
    """Runs one query against the built template (read only) and returns all rows."""
    folder = tmp_path_factory.mktemp("evaluation-best")
    with make_template(pg_admin_url, lambda url: prepare(folder, url)) as name:
        conn = psycopg2.connect(with_dbname(pg_admin_url, name))
        conn.set_session(readonly=True, autocommit=True)

        def run(query: str, args: tuple = ()):
            with conn.cursor() as cur:
                cur.execute(query, args)
                return cur.fetchall()

        yield run
        conn.close()


def best(rows, person_id, test_code):
    """{component: (score, test_date)} of one person's test in mart_best_scores rows."""
    return {r[3]: (r[4], r[5]) for r in rows if r[0] == person_id and r[1] == test_code}


def test_the_best_of_each_component_over_both_sittings_and_ties_go_to_the_earlier_date(q):
    rows = FIRST["best"]
    assert best(rows, "P01", "ACT") == {
        "composite": (Decimal(23), date(2024, 10, 1)), "english": (Decimal(23), date(2024, 10, 1)),
        "math": (Decimal(22), date(2024, 9, 1)), "reading": (Decimal(25), date(2024, 9, 1)),
        "science": (Decimal(25), date(2024, 10, 1))}
    assert best(rows, "P01", "SAT") == {
        "total": (Decimal(1310), date(2025, 3, 8)), "ebrw": (Decimal(670), date(2025, 10, 12)),
        "math": (Decimal(700), date(2025, 3, 8))}


def test_acts_superscore_block_lands_but_is_never_a_best_score(q):
    # Both lines give the same block: its parts count once (the same score of
    # the same date), the composite once per line (dated with its sitting).
    assert q("select distinct component, score from intermediate.int_evaluation__person_scores "
             "where component like 'sup_%%' and format_name = 'act_csv' "
             "order by component") == [
        ("sup_composite", Decimal(25)), ("sup_english", Decimal(26)),
        ("sup_math", Decimal(22)), ("sup_reading", Decimal(25)), ("sup_science", Decimal(25))]
    assert q("select count(*) from marts.mart_best_scores where component like 'sup_%%'") == [
        (0,)]


def test_superscores_sat_adds_and_act_averages_halves_up(q):
    assert q("select test_code, superscore, component, best_score, best_test_date "
             "from marts.mart_superscores where person_id = 'P01' order by 1, 3") == [
        ("ACT", 24, "english", Decimal(23), date(2024, 10, 1)),
        ("ACT", 24, "math", Decimal(22), date(2024, 9, 1)),
        ("ACT", 24, "reading", Decimal(25), date(2024, 9, 1)),
        ("ACT", 24, "science", Decimal(25), date(2024, 10, 1)),
        ("SAT", 1370, "ebrw", Decimal(670), date(2025, 10, 12)),
        ("SAT", 1370, "math", Decimal(700), date(2025, 3, 8))]


def test_acts_own_superscore_that_differs_from_ours_is_listed(q):
    rows = q("select person_id, test_code, vendor_superscore, superscore, difference, "
             "vendor_line_number, reason from marts.mart_superscore_differences")
    assert [r[:6] for r in rows] == [("P01", "ACT", 25, 24, 1, 3)]
    assert "sittings" in rows[0][6]


def test_the_first_build_marks_each_letters_best_and_lists_m_with_its_reason(q):
    assert FIRST["marks"] == [
        ("P01", "TIUG", "A", "ACT", "composite", True, Decimal(23), date(2024, 10, 1),
         "act.csv", None),
        ("P02", "TIUG", "S", "SAT", "total", True, Decimal(1200), date(2025, 10, 12),
         "sat1.csv", None),
        ("P03", "TIGR", "M", "MAT", "total", False, None, None, None,
         "no file format carries this test yet")]


def test_a_changed_letter_and_a_new_best_move_the_marks(q):
    assert q(MARKS) == [
        ("P01", "TIUG", "S", "SAT", "total", True, Decimal(1310), date(2025, 3, 8),
         "sat1.csv", None),
        ("P02", "TIUG", "S", "SAT", "total", True, Decimal(1400), date(2026, 3, 14),
         "sat2.csv", None),
        FIRST["marks"][2]]


def test_the_history_keeps_every_mark_and_closes_the_replaced_ones(q):
    rows = q("select person_id, test_letter, score, valid_to is null, "
             "valid_to = lead(valid_from) over (partition by person_id order by valid_from) "
             "from marts.mart_purpose_code_history order by person_id, valid_from")
    assert rows == [
        ("P01", "A", Decimal(23), False, True),
        ("P01", "S", Decimal(1310), True, None),
        ("P02", "S", Decimal(1200), False, True),
        ("P02", "S", Decimal(1400), True, None),
        ("P03", "M", None, True, None)]
