"""Same-date ACT and SAT test dates and exemptions from scores (docs/evaluation.md),
against the real models, the real CLI and a real SMTP server on loopback.

One template: three persons known by their vendor ids (so every record matches
by id), an ACT file and a SAT file. P1 sat the ACT in October 2025 (the ACT
file gives the month only, read as the 1st) and the SAT on 1 October 2025: the
same day, so the ACT date moves to the 15th and the SAT date, already on the
1st, stays. P1's other ACT (June) and SAT (March) dates do not pair. P2's SAT
EBRW is one point below the example rule's minimum, P3's exactly at it.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import psycopg2
import pytest

from tests.helpers import SAMPLES, run_cli, write_config

PERSONS = ("person_id,last_name,first_name,middle_name,birth_date,email,ssn,gender,street1,"
           "street2,city,state,zip,country\n"
           "P1,Able,Ann,,2007-01-01,ann.able@example.org,,F,1 Main St,,Columbia,SC,29201,US\n"
           "P2,Baker,Ben,,2006-05-05,ben.baker@example.org,,M,2 Oak Ave,,Austin,TX,78701,US\n"
           "P3,Cole,Cara,,2006-07-07,cara.cole@example.org,,F,3 Elm St,,Boise,ID,83702,US\n")
PERSON_IDS = ("person_id,id_type,id_value\n"
              "P1,CB,CB0001\nP2,CB,CB0002\nP3,CB,CB0003\nP1,ACT,1000000001\n")
SAT_RECORDS = [
    {"CB_ID": "CB0001", "NAME_FIRST": "Ann", "NAME_LAST": "Able", "BIRTH_DATE": "1/1/2007",
     "LATEST_SAT_DATE": "10/1/2025", "LATEST_SAT_TOTAL": "1310", "LATEST_SAT_EBRW": "670",
     "LATEST_SAT_MATH_SECTION": "640", "ADMIN2_SAT_DATE": "3/8/2025",
     "ADMIN2_SAT_TOTAL": "1200", "ADMIN2_SAT_EBRW": "600", "ADMIN2_SAT_MATH_SECTION": "600"},
    {"CB_ID": "CB0002", "NAME_FIRST": "Ben", "NAME_LAST": "Baker", "BIRTH_DATE": "5/5/2006",
     "LATEST_SAT_DATE": "10/1/2025", "LATEST_SAT_TOTAL": "1000", "LATEST_SAT_EBRW": "470",
     "LATEST_SAT_MATH_SECTION": "530"},
    {"CB_ID": "CB0003", "NAME_FIRST": "Cara", "NAME_LAST": "Cole", "BIRTH_DATE": "7/7/2006",
     "LATEST_SAT_DATE": "11/8/2025", "LATEST_SAT_TOTAL": "1000", "LATEST_SAT_EBRW": "480",
     "LATEST_SAT_MATH_SECTION": "520"},
]
ACT_RECORDS = [
    {"ID_ACT": "1000000001", "F_Name": "Ann", "L_Name": "Able", "DOB": "01012007",
     "Gender": "Female", "Test_Dte": "102025", "Eng": "25", "Mth": "24", "Rdg": "26",
     "Sci": "23", "Composite": "25"},
    {"ID_ACT": "1000000001", "F_Name": "Ann", "L_Name": "Able", "DOB": "01012007",
     "Gender": "Female", "Test_Dte": "062025", "Eng": "17", "Mth": "20", "Rdg": "21",
     "Sci": "19", "Composite": "19"},
]
# The evaluation marts and all they read, without data tests (this module
# checks the rules end to end, not the data).
EVALUATION = ("dbt", "build", "--select", "+models/marts/evaluation", "--exclude-resource-type",
              "test", "--exclude-resource-type", "unit_test")
# What a match decision changes for evaluation: the models between the two.
AFTER_DECISION = ("build", "--select", "int_matching__outcomes+,+models/marts/evaluation")
SAT_RULE, ACT_RULE = "EXAMPLE_SKILLS_SAT_EBRW", "EXAMPLE_SKILLS_ACT_ENGLISH"


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def vendor_file(path: Path, sample: str, records: list[dict]) -> Path:
    """A file with the vendor sample's header and only these values."""
    with open(SAMPLES / sample, newline="", encoding="utf-8-sig") as f:
        header = next(csv.reader(f))
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, restval="")
        writer.writeheader()
        writer.writerows(records)
    return path


def prepare(folder: Path, env: dict) -> None:
    for fmt, name, text in (("persons", "persons.csv", PERSONS),
                            ("person_ids", "person_ids.csv", PERSON_IDS)):
        (folder / name).write_text(text, encoding="utf-8")
        ok(run_cli("load", fmt, str(folder / name), cwd=folder, env=env))
    ok(run_cli("load", "act_csv", str(vendor_file(folder / "act.csv", "act_sample.csv",
                                                  ACT_RECORDS)), cwd=folder, env=env))
    ok(run_cli("load", "sat_csv", str(vendor_file(folder / "sat.csv", "sat_sample.csv",
                                                  SAT_RECORDS)), cwd=folder, env=env))
    ok(run_cli(*EVALUATION, cwd=folder, env=env, timeout=900))


@pytest.fixture(scope="module")
def evaluation_template(pg_admin_url, tmp_path_factory):
    from tests.pg import make_template

    folder = tmp_path_factory.mktemp("evaluation")
    with make_template(pg_admin_url, lambda url: prepare(
            folder, {"SCOREBRIDGE_DATABASE_URL": url})) as name:
        yield name


def record_of(sql, person_id: str, test_code: str) -> str:
    (record_id,), = sql("select distinct record_id from intermediate.int_evaluation__person_scores"
                        " where person_id = %s and test_code = %s", (person_id, test_code))
    return record_id


@pytest.mark.db_from("evaluation_template")
def test_only_the_same_day_pair_moves_and_a_date_on_its_day_is_not_a_change(sql):
    dates = sql("select person_id, test_code, test_date, fixed_test_date, is_date_changed "
                "from intermediate.int_evaluation__test_dates order by 1, 2, 3")
    assert dates == [
        ("P1", "ACT", date(2025, 6, 1), date(2025, 6, 1), False),
        ("P1", "ACT", date(2025, 10, 1), date(2025, 10, 15), True),
        ("P1", "SAT", date(2025, 3, 8), date(2025, 3, 8), False),
        ("P1", "SAT", date(2025, 10, 1), date(2025, 10, 1), False),  # already on the 1st
        ("P2", "SAT", date(2025, 10, 1), date(2025, 10, 1), False),  # no ACT that day
        ("P3", "SAT", date(2025, 11, 8), date(2025, 11, 8), False)]
    (october_act,), = sql("select record_id from intermediate.int_evaluation__test_dates "
                          "where test_code = 'ACT' and test_date = '2025-10-01'")
    assert sql("select person_id, test_code, record_id, old_test_date, new_test_date, date_rule "
               "from marts.mart_test_date_changes") == [
        ("P1", "ACT", october_act, date(2025, 10, 1), date(2025, 10, 15), "act_sat_same_day")]


@pytest.mark.db_from("evaluation_template")
def test_export_date_changes_writes_the_change_once(tmp_path, sql):
    first = ok(run_cli("export", "date-changes", "--out", str(tmp_path / "out"), cwd=tmp_path))
    assert "1 date change(s)" in first.stdout, first.stdout
    (path,) = (tmp_path / "out").glob("DATE_CHANGES_*.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["ChangeID", "PersonID", "TestCode", "RecordID", "VendorPersonID",
                       "OldTestDate", "NewTestDate", "Rule"]
    assert [r[1:] for r in rows[1:]] == [["P1", "ACT", rows[1][3], "1000000001", "2025-10-01",
                                          "2025-10-15", "act_sat_same_day"]]
    assert sql("select file_name, row_count, emailed_at from ops.date_change_files") == [
        (path.name, 1, None)]

    again = ok(run_cli("export", "date-changes", "--out", str(tmp_path / "out"), cwd=tmp_path))
    assert "0 new date changes: nothing written" in again.stdout
    assert len(list((tmp_path / "out").glob("*.csv"))) == 1
    assert sql("select count(*) from ops.date_change_items") == [(1,)]


@pytest.mark.db_from("evaluation_template")
def test_run_emails_the_new_changes_to_the_list_once(tmp_path, smtp_server, sql):
    config = write_config(tmp_path, [], date_changes_to=["registrar@example.org",
                                                         "testing@example.org"],
                          smtp={"host": smtp_server.host, "port": smtp_server.port,
                                "from": "scorebridge@example.org", "to": ["ops@example.org"]})
    ok(run_cli("--config", str(config), "run", "--skip-build", cwd=tmp_path))
    mails = {m["To"]: m for m in smtp_server.messages}
    assert set(mails) == {"ops@example.org", "registrar@example.org, testing@example.org"}
    changes = mails["registrar@example.org, testing@example.org"]
    assert "1 same-date test date change(s)" in changes["Subject"]
    assert "P1 ACT: 2025-10-01 -> 2025-10-15" in changes.get_body().get_content()
    (attachment,) = changes.iter_attachments()
    assert attachment.get_filename().startswith("DATE_CHANGES_")
    lines = attachment.get_content().splitlines()
    assert lines[0].startswith("ChangeID,PersonID") and len(lines) == 2
    assert "2025-10-01,2025-10-15,act_sat_same_day" in lines[1]
    # The run summary says so; the file is in exports/ beside the config.
    summary = mails["ops@example.org"].get_body().get_content()
    assert "emailed to registrar@example.org, testing@example.org" in summary
    assert len(list((tmp_path / "exports").glob("DATE_CHANGES_*.csv"))) == 1
    assert sql("select emailed_to, emailed_at is not null from ops.date_change_files") == [
        ("registrar@example.org, testing@example.org", True)]

    # Nothing new: the next run sends its summary only.
    ok(run_cli("--config", str(config), "run", "--skip-build", cwd=tmp_path))
    assert [m["To"] for m in smtp_server.messages[2:]] == ["ops@example.org"]


def test_date_changes_to_needs_smtp_and_addresses(tmp_path):
    config = write_config(tmp_path, [], date_changes_to="registrar@example.org")
    result = run_cli("--config", str(config), "status", cwd=tmp_path)
    assert result.returncode == 1 and "date_changes_to: needs smtp" in result.stderr, \
        result.stdout + result.stderr
    config = write_config(tmp_path, [], date_changes_to=["registrar"],
                          smtp={"host": "localhost", "to": "ops@example.org"})
    result = run_cli("--config", str(config), "status", cwd=tmp_path)
    assert result.returncode == 1 and "'registrar' is not an email address" in result.stderr


@pytest.mark.db_from("evaluation_template")
def test_an_exemption_is_granted_then_withdrawn_when_its_record_moves(tmp_path, sql, db_url):
    assert sql("select person_id, rule_id, score, minimum_score, granting_scores "
               "from marts.mart_exemptions order by 1, 2") == [
        ("P1", ACT_RULE, 25, 18, 1),   # the June ACT's 17 does not grant
        ("P1", SAT_RULE, 670, 480, 2),  # both SAT EBRW scores grant; the 670 is named
        ("P3", SAT_RULE, 480, 480, 1)]  # exactly the minimum; P2's 470 does not
    sat_record = record_of(sql, "P1", "SAT")
    # The SAT record is decided to be P2's.
    conn = psycopg2.connect(db_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("insert into ops.match_decisions (decision, record_id, person_id, "
                    "decided_by, source) values ('same_person', %s, 'P2', 'dana', 'test')",
                    (sat_record,))
    conn.close()
    ok(run_cli(*AFTER_DECISION, cwd=tmp_path, timeout=900))

    assert sql("select person_id, rule_id, score from marts.mart_exemptions order by 1, 2") == [
        ("P1", ACT_RULE, 25), ("P2", SAT_RULE, 670), ("P3", SAT_RULE, 480)]
    history = sql("select person_id, rule_id, score, withdrawn_reason, is_open, "
                  "withdrawn_at >= granted_at from marts.mart_exemption_history "
                  "where record_id = %s order by person_id, score", (sat_record,))
    assert history == [("P1", SAT_RULE, 600, "record_moved", False, True),
                       ("P1", SAT_RULE, 670, "record_moved", False, True),
                       ("P2", SAT_RULE, 600, None, True, None),
                       ("P2", SAT_RULE, 670, None, True, None)]
    # P1's ACT date no longer pairs with a SAT of P1's: no change left.
    assert sql("select count(*) from marts.mart_test_date_changes") == [(0,)]


def test_a_run_before_any_build_says_no_changes_were_written(tmp_path, smtp_server, db_url):
    config = write_config(tmp_path, [], date_changes_to="registrar@example.org",
                          smtp={"host": smtp_server.host, "port": smtp_server.port,
                                "to": "ops@example.org"})
    result = ok(run_cli("--config", str(config), "run", "--skip-build", cwd=tmp_path))
    assert "Same-date test date changes: none written: marts.outbound_date_changes does not " \
           "exist yet" in result.stdout, result.stdout
    assert [m["To"] for m in smtp_server.messages] == ["ops@example.org"]


def scores_file(folder: Path) -> list[dict]:
    paths = sorted(folder.glob("SCORES_*.csv"))
    with open(paths[-1], newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.db_from("evaluation_template")
def test_export_scores_sends_each_score_once_and_again_when_it_changes(tmp_path, sql, db_url):
    out = tmp_path / "out"
    (waiting,), = sql("select count(*) from marts.outbound_scores")
    first = ok(run_cli("export", "scores", "--out", str(out), cwd=tmp_path))
    assert f"{waiting} score(s)" in first.stdout, first.stdout
    rows = scores_file(out)
    assert len(rows) == waiting and {r["Change"] for r in rows} == {"new"}
    assert list(rows[0]) == ["ScoreID", "PersonID", "TestCode", "Component", "Score", "TestDate",
                             "VendorTestDate", "Official", "Best", "PurposeIndicators",
                             "ExemptionRules", "Change"]
    by = {(r["PersonID"], r["TestCode"], r["Component"], r["VendorTestDate"]): r for r in rows}
    act = by[("P1", "ACT", "english", "2025-10-01")]
    # The same-date fix moved the ACT to the 15th; the 25 is the best English
    # and grants the ACT exemption (the June 17 does neither).
    assert (act["Score"], act["TestDate"], act["Best"], act["ExemptionRules"]) == (
        "25", "2025-10-15", "Y", ACT_RULE)
    june = by[("P1", "ACT", "english", "2025-06-01")]
    assert (june["Best"], june["ExemptionRules"], june["TestDate"]) == ("N", "", "2025-06-01")
    assert not any(r["Component"].startswith("sup_") for r in rows)
    assert sql("select count(*), min(times_sent), max(times_sent) from marts.mart_scores_sent") \
        == [(waiting, 1, 1)]

    again = ok(run_cli("export", "scores", "--out", str(out), cwd=tmp_path))
    assert "0 new or changed scores: nothing written" in again.stdout
    assert len(list(out.glob("SCORES_*.csv"))) == 1

    # The SAT record is decided to be P2's: its scores change person, P1's ACT
    # loses its same-day SAT (back to the 1st), P2's own SAT is no longer best.
    sat_record = record_of(sql, "P1", "SAT")
    conn = psycopg2.connect(db_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("insert into ops.match_decisions (decision, record_id, person_id, "
                    "decided_by, source) values ('same_person', %s, 'P2', 'dana', 'test')",
                    (sat_record,))
    conn.close()
    ok(run_cli(*AFTER_DECISION, cwd=tmp_path, timeout=900))
    third = ok(run_cli("export", "scores", "--out", str(out), cwd=tmp_path))
    assert "score(s)" in third.stdout, third.stdout
    changed = scores_file(out)
    assert {r["Change"] for r in changed} == {"changed"}
    moved = {(r["PersonID"], r["Component"], r["Score"]) for r in changed if r["TestCode"] == "SAT"}
    assert {("P2", "total", "1310"), ("P2", "ebrw", "670"), ("P2", "total", "1000")} <= moved
    act = {(r["Component"], r["VendorTestDate"]): r for r in changed if r["TestCode"] == "ACT"}
    assert act[("english", "2025-10-01")]["TestDate"] == "2025-10-01"
    assert [r["Best"] for r in changed if (r["PersonID"], r["Component"], r["Score"])
            == ("P2", "total", "1000")] == ["N"]
    assert sql("select count(*) from marts.mart_scores_sent where times_sent = 2") == [
        (len(changed),)]
    assert sql("select count(*) from ops.score_export_files") == [(2,)]
