"""Who is due an eligibility file, who is left out and why, and what the
quarterly outcomes count: small crafted records landed and built on a real
PostgreSQL, the export run through the real CLI."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from tests.helpers import run_cli

APPLICATIONS_HEADER = ("application_id,person_id,exam_code,submitted_at,status,eligibility_start,"
                       "eligibility_end,accommodations")
PERSONS_HEADER = ("person_id,last_name,first_name,middle_name,birth_date,email,ssn,gender,street1,"
                  "street2,city,state,zip,country")
RESULTS_HEADER = ("CandidateID,EligibilityID,LastName,FirstName,ExamCode,TestDate,TestCenter,Score,"
                  "PassingScore,Result,ResultDate")
# The build's "today": windows ending before it have ended.
AS_OF = "2026-03-01"
BUILD = ("dbt", "build", "--select", "+models/marts/credentialing", "--indirect-selection",
         "cautious", "--exclude-resource-type", "unit_test", "--vars", f"{{as_of_date: '{AS_OF}'}}")


def ok(result):
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    return result


def land(folder: Path, **files: str) -> None:
    """Writes and loads each format's text, in the order given."""
    folder.mkdir(parents=True, exist_ok=True)
    for fmt, text in files.items():
        name = "RESULTS_ASSOC_20260220.csv" if fmt == "prometric_results" else f"{fmt}.csv"
        (folder / name).write_text(text)
        ok(run_cli("load", fmt, str(folder / name), cwd=folder))


# P2 has no first name; P9 is nobody the organisation sent.
PERSONS = PERSONS_HEADER + """
P1,Able,Ann,,1990-01-02,ann@example.org,,F,,,,,,
P2,Nofirst,,,1988-03-04,p2@example.org,,M,,,,,,
P3,Smith,Cy,,1992-05-06,cy@example.org,,M,,,,,,
P4,Diaz,Di,M,1985-07-08,di@example.org,,F,,,,,,
"""
# A1 is decided Passed by a result landed after this file; A2's person is
# unknown, A3's has no first name, A4's window ended before AS_OF, A5's
# submission date is no day, A9's window starts after it ends; A7 was
# withdrawn. A6 and A8 are due.
ELIGIBILITY_APPLICATIONS = APPLICATIONS_HEADER + """
A1,P1,CPA,2026-01-05,Pending,2026-01-15,2026-07-15,
A2,P9,CPA,2026-01-06,Pending,2026-01-15,2026-07-15,
A3,P2,CPA,2026-01-07,Pending,2026-01-15,2026-07-15,
A4,P3,CPA,2026-01-08,Pending,2025-06-01,2026-01-31,
A5,P3,CMA,2026-02-30,Pending,2026-02-01,2026-08-01,
A6,P4,CPA,2026-01-10,Pending,2026-02-01,2026-08-01,Extra time
A7,P1,CMA,2026-01-11,Withdrawn,2026-01-15,2026-07-15,
A8,P4,CMA,2026-01-12,Pending,2026-02-01,2026-08-01,
A9,P3,CPA,2026-01-13,Pending,2026-09-01,2026-08-01,
"""
ELIGIBILITY_RESULTS = RESULTS_HEADER + """
P1,A1,Able,Ann,CPA,2026-02-10,TC01,82,70,PASS,2026-02-12
"""


def test_eligibility_selects_the_pending_now_and_lists_the_rest_with_a_reason(
        tmp_path, db_url, sql):
    land(tmp_path, persons=PERSONS, applications=ELIGIBILITY_APPLICATIONS,
         prometric_results=ELIGIBILITY_RESULTS)
    ok(run_cli(*BUILD, cwd=tmp_path, timeout=900))

    assert sql("select application_id, current_status from marts.mart_application_status "
               "where application_id = 'A1'") == [("A1", "Passed")]
    assert [r[0] for r in sql("select application_id from marts.mart_eligibility_candidates "
                              "order by 1")] == ["A6", "A8"]
    assert sql("select application_id, reason, file_name, line_number "
               "from marts.mart_eligibility_left_out order by line_number, reason") == [
        ("A2", "unknown_person", "applications.csv", 3),
        ("A3", "missing_name", "applications.csv", 4),
        ("A4", "window_ended", "applications.csv", 5),
        ("A5", "bad_submission_date", "applications.csv", 6),
        ("A9", "bad_eligibility_window", "applications.csv", 10),
    ]
    explained = dict(sql("select application_id, explanation "
                         "from marts.mart_eligibility_left_out"))
    assert explained["A3"] == ("Person P2 has no first name in the persons file: "
                               "the vendor needs both.")
    assert explained["A4"] == "The eligibility window ended on 2026-01-31, before 2026-03-01."

    out = tmp_path / "out"
    january = ("export", "eligibility", "--from", "2026-01-01", "--to", "2026-01-31", "--yes",
               "--out", str(out))
    first = ok(run_cli(*january, "--exam", "CMA", cwd=tmp_path))
    # A5 (CMA, no submission date) could be in any range: it is counted here too.
    assert first.stdout.splitlines()[:2] == [
        "1 application(s) submitted 2026-01-01 to 2026-01-31 for CMA",
        "1 Pending application(s) left out for a data reason: "
        "see marts.mart_eligibility_left_out"]

    second = ok(run_cli(*january, cwd=tmp_path))
    assert second.stdout.splitlines()[:3] == [
        "2 application(s) submitted 2026-01-01 to 2026-01-31",
        "1 already sent, last 1 in transmission 1: sent again unless --only-new",
        "5 Pending application(s) left out for a data reason: "
        "see marts.mart_eligibility_left_out"]
    newest = sorted(out.glob("*_000002.csv"))[0]
    rows = list(csv.reader(io.StringIO(newest.read_text(), newline="")))
    assert rows[1:] == [
        ["A6", "P4", "Diaz", "Di", "M", "di@example.org", "CPA", "2026-02-01", "2026-08-01",
         "Extra time"],
        ["A8", "P4", "Diaz", "Di", "M", "di@example.org", "CMA", "2026-02-01", "2026-08-01", ""]]

    only_new = run_cli(*january, "--only-new", cwd=tmp_path)
    assert only_new.stdout.splitlines()[:3] == [
        "0 application(s) submitted 2026-01-01 to 2026-01-31 not sent before",
        "2 already sent, last 2 in transmission 2: left out by --only-new",
        "5 Pending application(s) left out for a data reason: "
        "see marts.mart_eligibility_left_out"]
    assert "0 applications selected: nothing written" in only_new.stdout
    assert sql("select count(*) from ops.eligibility_transmissions") == [(2,)]


def test_as_of_date_that_is_no_day_stops_the_build_with_one_line(tmp_path):
    bad = run_cli("dbt", "parse", "--vars", "{as_of_date: 'yesterday'}", cwd=tmp_path,
                  timeout=600)
    assert bad.returncode != 0
    assert "var as_of_date: 'yesterday' is not a day (YYYY-MM-DD)" in bad.stdout + bad.stderr


QUARTER_PERSONS = PERSONS_HEADER + "".join(
    f"\nP{i},Last{i},First{i},,1990-01-0{i},p{i}@example.org,,F,,,,,," for i in range(1, 7))
# B4 was withdrawn before its result came.
QUARTER_APPLICATIONS = APPLICATIONS_HEADER + """
B1,P1,CPA,2026-01-05,Pending,2026-01-15,2026-07-15,
B2,P2,CPA,2026-01-05,Pending,2026-01-15,2026-07-15,
B3,P3,CPA,2026-01-05,Pending,2026-01-15,2026-07-15,
B4,P4,CPA,2026-01-05,Withdrawn,2026-01-15,2026-07-15,
B5,P5,CPA,2026-01-05,Pending,2026-01-15,2026-07-15,
B6,P6,CPA,2026-01-05,Pending,2026-01-15,2026-07-15,
"""
# B1 passes (delivered twice), B2 fails, B6 did not show: three attempts.
# B3 has two results that disagree, B4 was withdrawn, E404 names no
# application, P9 is not B5's person: five anomalies, none a pass or a fail.
QUARTER_RESULTS = RESULTS_HEADER + """
P1,B1,Last1,First1,CPA,2026-02-10,TC01,82,70,PASS,2026-02-12
P1,B1,Last1,First1,CPA,2026-02-10,TC01,82,70,PASS,2026-02-12
P2,B2,Last2,First2,CPA,2026-02-10,TC01,50,70,FAIL,2026-02-12
P6,B6,Last6,First6,CPA,2026-02-10,TC01,,70,NOSHOW,2026-02-12
P3,B3,Last3,First3,CPA,2026-02-10,TC01,80,70,PASS,2026-02-12
P3,B3,Last3,First3,CPA,2026-02-11,TC01,60,70,FAIL,2026-02-13
P4,B4,Last4,First4,CPA,2026-02-10,TC01,90,70,PASS,2026-02-12
P9,E404,Nobody,Ned,CPA,2026-02-10,TC01,90,70,PASS,2026-02-12
P9,B5,Nobody,Ned,CPA,2026-02-10,TC01,90,70,PASS,2026-02-12
"""


def test_quarterly_outcomes_count_each_attempt_once_and_anomalies_apart(tmp_path, db_url, sql):
    land(tmp_path, persons=QUARTER_PERSONS, applications=QUARTER_APPLICATIONS,
         prometric_results=QUARTER_RESULTS)
    ok(run_cli(*BUILD, cwd=tmp_path, timeout=900))

    assert sql("select exam_code, quarter_start, passed, failed, no_show, total, pass_rate, "
               "no_application, conflicting, withdrawn, unknown_person, other_anomalies, "
               "anomalies, results from marts.mart_outcomes_quarterly") == [
        ("CPA", date(2026, 1, 1), 1, 1, 1, 3, Decimal("0.5000"), 1, 2, 1, 1, 0, 5, 8)]
