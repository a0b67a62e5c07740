"""Credentialing exports through the real CLI against the real models.

The organisation's records and one result file are loaded and built once per
session into a template database (tests/conftest.py); each test gets a fresh
copy of it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from datetime import date
from pathlib import Path

import psycopg2
import pytest

from tests.helpers import run_cli, write_config
from tests.pg import with_dbname, worker_database_name

ELIGIBILITY_HEADER = ("EligibilityID,CandidateID,LastName,FirstName,MiddleName,Email,ExamCode,"
                      "EligibilityStart,EligibilityEnd,Accommodations")

# P2's last name is what an attacker would type to run a command in a spreadsheet.
PERSONS = ("person_id,last_name,first_name,middle_name,birth_date,email,ssn,gender,street1,street2,"
           "city,state,zip,country\n") + """P1,Able,Ann,,1990-01-02,ann@example.org,,F,,,,,,
P2,=cmd|' /C calc'!A0,Bob,Q,1988-03-04,bob@example.org,,M,,,,,,
P3,"Smith, Jr",Cy,,1992-05-06,cy@example.org,,M,,,,,,
P4,O'Neil,Di,,1985-07-08,di@example.org,,F,,,,,,
P5,Eve,Eva,,1991-09-10,eva@example.org,,F,,,,,,
"""
# A4 is submitted after the range, A5 is an earlier attempt (so A6 is a retake),
# A7 was withdrawn, A8 was submitted and tested in 2025. A10 is P2's second
# exam, still Pending after A2's result.
APPLICATIONS = ("application_id,person_id,exam_code,submitted_at,status,eligibility_start,"
                "eligibility_end,accommodations\n") + """A1,P1,CPA,2026-01-05,Pending,2026-01-15,2026-07-15,
A2,P2,CPA,2026-01-20,Pending,2026-01-25,2026-07-25,Extra time
A3,P3,CMA,2026-01-25,Pending,2026-02-01,2026-08-01,
A4,P4,CPA,2026-03-01,Pending,2026-03-05,2026-09-05,
A5,P5,CPA,2025-06-01,Failed,2025-06-05,2025-12-05,
A6,P5,CPA,2026-01-10,Pending,2026-01-15,2026-07-15,
A7,P1,CMA,2026-01-12,Withdrawn,2026-01-15,2026-07-15,
A8,P4,CMA,2025-09-01,Pending,2025-09-05,2026-03-05,
A9,P3,CPA,2026-01-28,Pending,2026-02-01,2026-08-01,-5 minutes
A10,P2,CMA,2026-01-22,Pending,2026-01-25,2026-07-25,
"""
# A1 passes, A2 fails, A6 is a no-show, A8 passed in 2025. E404 names no
# application and A7 was withdrawn: both are anomalies. The last row is bad.
RESULTS = ("CandidateID,EligibilityID,LastName,FirstName,ExamCode,TestDate,TestCenter,Score,"
           "PassingScore,Result,ResultDate\n") + """P1,A1,Able,Ann,CPA,2026-02-10,TC01,82,70,PASS,2026-02-12
P2,A2,Cmd,Bob,CPA,02/11/2026,TC01,55,70,fail ,2026-02-13
P5,A6,Eve,Eva,CPA,2026-02-12,,,70,NS,2026-02-14
P4,A8,O'Neil,Di,CMA,2025-11-20,TC02,91,70,P,2025-11-22
P9,E404,Nobody,Ned,CPA,2026-02-12,TC01,90,70,PASS,2026-02-14
P1,A7,Able,Ann,CMA,2026-02-12,TC01,75,70,PASS,2026-02-14
P3,A3,Smith,Cy,CMA,2026-13-45,TC01,abc,70,MAYBE,2026-02-14
"""


def write_inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, text in (("persons", PERSONS), ("applications", APPLICATIONS)):
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text(text)
    paths["prometric_results"] = folder / "RESULTS_ASSOC_20260215.csv"
    paths["prometric_results"].write_text(RESULTS)
    return paths


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


# The credentialing and custody marts and all they read (the admissions models
# are half of a whole build and no test here reads them).
CREDENTIALING_MARTS = "+models/marts/credentialing +models/marts/custody"
# The day the build takes as today (var as_of_date): the January applications'
# windows are open then, whatever day the suite runs.
AS_OF = "2026-02-15"


def load_and_build(folder: Path, env: dict, results: bool = True) -> None:
    paths = write_inputs(folder)
    ok(run_cli("load", "persons", str(paths["persons"]), cwd=folder, env=env))
    ok(run_cli("load", "applications", str(paths["applications"]), cwd=folder, env=env))
    if results:
        ok(run_cli("load", "prometric_results", str(paths["prometric_results"]), cwd=folder,
                   env=env))
    ok(run_cli("dbt", "build", "--select", CREDENTIALING_MARTS, "--exclude-resource-type",
               "unit_test", "--vars", f"{{as_of_date: '{AS_OF}'}}", cwd=folder, env=env,
               timeout=900))


def _admin(url: str):
    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


@pytest.fixture
def built_db(credentialing_template, pg_admin_url, monkeypatch):
    """A fresh copy of the built database; SCOREBRIDGE_DATABASE_URL points at it."""
    name = worker_database_name()
    admin = _admin(pg_admin_url)
    with admin.cursor() as cur:
        cur.execute(f"drop database if exists {name} with (force)")
        cur.execute(f"create database {name} template {credentialing_template}")
    url = with_dbname(pg_admin_url, name)
    monkeypatch.setenv("SCOREBRIDGE_DATABASE_URL", url)
    conn = _admin(url)

    def sql(query: str, args: tuple = ()):
        with conn.cursor() as cur:
            cur.execute(query, args)
            return cur.fetchall() if cur.description else []

    sql.url = url
    yield sql
    conn.close()
    with admin.cursor() as cur:
        cur.execute(f"drop database if exists {name} with (force)")
    admin.close()


def read_csv(path: Path) -> tuple[bytes, list[list[str]]]:
    data = path.read_bytes()
    return data, list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def cell(value) -> str:
    """A mart value as the export writes it (dates as YYYY-MM-DD, formulas neutralised)."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def only_file(folder: Path) -> Path:
    files = [p for p in folder.iterdir() if p.is_file()]
    assert len(files) == 1, files
    return files[0]


# -- eligibility ------------------------------------------------------------------------
def pending_in_january(sql, exam=None):
    return sql("select application_id, person_id, last_name, first_name, middle_name, email, "
               "exam_code, eligibility_start, eligibility_end, accommodations "
               "from marts.mart_eligibility_candidates "
               "where cast(submitted_at as date) between '2026-01-01' and '2026-01-31' "
               "and (%s::text is null or exam_code = %s::text) "
               "order by submitted_at, application_id", (exam, exam))


def test_eligibility_counts_asks_writes_the_format_and_records_the_transmission(
        built_db, tmp_path):
    sql = built_db
    expected = pending_in_january(sql)
    ids = [r[0] for r in expected]
    # Out of range, withdrawn and already failed applications are never eligible,
    # nor those a result decided (A1, A2, A6) though the organisation says Pending.
    assert {"A1", "A2", "A4", "A5", "A6", "A7", "A8"}.isdisjoint(ids) and "A9" in ids
    out = tmp_path / "out"
    base = ("export", "eligibility", "--from", "2026-01-01", "--to", "2026-01-31", "--out",
            str(out))

    refused = run_cli(*base, cwd=tmp_path)  # no terminal: the question gets no yes
    assert refused.returncode != 0
    assert f"{len(ids)} application(s) submitted 2026-01-01 to 2026-01-31" in refused.stdout
    wrong = run_cli(*base, "--yes", "--expect", str(len(ids) + 1), cwd=tmp_path)
    assert wrong.returncode == 1
    assert wrong.stderr.strip().splitlines()[-1] == (
        f"error: {len(ids)} application(s) selected, --expect {len(ids) + 1}: nothing written")
    assert not out.exists() or not list(out.iterdir())
    assert sql("select count(*) from ops.eligibility_transmissions") == [(0,)]

    result = ok(run_cli(*base, "--yes", "--expect", str(len(ids)), cwd=tmp_path))
    path = only_file(out)
    assert path.name.startswith("ELIGIBILITY_") and path.name.endswith("_000001.csv")
    data, rows = read_csv(path)
    assert data.decode().startswith(ELIGIBILITY_HEADER + "\r\n")
    assert data.count(b"\r\n") == len(ids) + 1 and data.count(b"\n") == len(ids) + 1
    assert rows[1:] == [[cell(v) for v in r] for r in expected]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["A10"][2] == "'=cmd|' /C calc'!A0"  # neutralised, not run by a spreadsheet
    assert by_id["A9"][9] == "'-5 minutes"
    assert by_id["A10"][7:9] == ["2026-01-25", "2026-07-25"]
    sha = hashlib.sha256(data).hexdigest()
    assert f"{path}: {len(ids)} record(s), transmission 1, sha256 {sha}" in result.stdout
    assert sql("select transmission_id, file_name, sha256, record_count, range_from, range_to, "
               "exam_code, uploaded_to from ops.eligibility_transmissions") == [
        (1, path.name, sha, len(ids), date(2026, 1, 1), date(2026, 1, 31), None, None)]
    assert sorted(r[0] for r in sql("select application_id "
                                    "from ops.eligibility_transmission_items")) == sorted(ids)

    again = ok(run_cli(*base, "--yes", "--only-new", cwd=tmp_path))
    assert "0 applications selected: nothing written" in again.stdout
    assert len(list(out.iterdir())) == 1
    # Without --only-new the same applications can be sent again, on purpose.
    cpa = [r[0] for r in pending_in_january(sql, "CPA")]
    ok(run_cli(*base, "--yes", "--exam", "CPA", "--expect", str(len(cpa)), cwd=tmp_path))
    assert sql("select record_count, exam_code from ops.eligibility_transmissions "
               "where transmission_id = 2") == [(len(cpa), "CPA")]


def test_eligibility_rejects_a_reversed_range(built_db, tmp_path):
    bad = run_cli("export", "eligibility", "--from", "2026-02-01", "--to", "2026-01-01",
                  "--yes", cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.strip() == "error: --from 2026-02-01 is after --to 2026-01-01"


def test_eligibility_upload_over_sftp_is_recorded_and_a_failed_one_is_not(
        built_db, tmp_path, sftp_server, sftp_folder):
    sql = built_db
    config = write_config(tmp_path, [{
        "name": "prometric", "format": "prometric_results", "transport": "sftp",
        "host": sftp_server.host, "port": sftp_server.port, "user": sftp_server.user,
        "key_file": str(sftp_server.key_file), "known_hosts": str(sftp_server.known_hosts),
        "remote_folder": str(sftp_folder), "settle_seconds": 0}])
    base = ("--config", str(config), "export", "eligibility", "--from", "2026-01-01",
            "--to", "2026-01-31", "--yes", "--out", str(tmp_path / "out"), "--upload",
            "prometric")
    missing = run_cli(*base, "--remote-folder", str(sftp_folder / "no-such-folder"),
                      cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines()[-1].startswith(
        "error: upload to prometric failed, nothing recorded: sftp: cannot upload")
    assert sql("select count(*) from ops.eligibility_transmissions") == [(0,)]
    assert sql("select count(*) from ops.eligibility_transmission_items") == [(0,)]
    assert not list((tmp_path / "out").glob("*.csv"))

    inbound = sftp_folder / "inbound"
    inbound.mkdir()
    inbound.chmod(0o777)
    result = ok(run_cli(*base, "--remote-folder", str(inbound), cwd=tmp_path))
    local = only_file(tmp_path / "out")
    assert f"uploaded to prometric:{inbound}" in result.stdout
    assert [p.name for p in inbound.iterdir()] == [local.name]  # no temporary name left
    assert (inbound / local.name).read_bytes() == local.read_bytes()
    (uploaded_to, uploaded), = sql("select uploaded_to, uploaded_at is not null "
                                   "from ops.eligibility_transmissions")
    assert uploaded_to == f"prometric:{inbound}" and uploaded


# -- status changes and print files -----------------------------------------------------
def test_status_changes_export_writes_each_change_once(built_db, tmp_path):
    sql = built_db
    pending = sql("select status_change_id, application_id, person_id, exam_code, from_status, "
                  "to_status, changed_at, result_id "
                  "from marts.mart_status_changes_pending_export "
                  "order by changed_at, status_change_id")
    # A1 passed, A2 failed, A6 did not show: each is a change to send back.
    assert {(r[1], r[5]) for r in pending} >= {("A1", "Passed"), ("A2", "Failed"),
                                               ("A6", "No-show")}
    out = tmp_path / "out"
    result = ok(run_cli("export", "status-changes", "--out", str(out), cwd=tmp_path))
    path = only_file(out)
    assert f"{path}: {len(pending)} status change(s)" in result.stdout
    data, rows = read_csv(path)
    assert rows[0] == ["status_change_id", "application_id", "person_id", "exam_code",
                       "from_status", "to_status", "changed_at", "result_id"]
    assert rows[1:] == [[cell(v) for v in r] for r in pending]
    assert sql("select file_name, sha256, row_count from ops.status_change_exports") == [
        (path.name, hashlib.sha256(data).hexdigest(), len(pending))]
    assert sorted(r[0] for r in sql("select status_change_id "
                                    "from ops.status_change_export_items")) == sorted(
        str(r[0]) for r in pending)
    again = ok(run_cli("export", "status-changes", "--out", str(out), cwd=tmp_path))
    assert "nothing written" in again.stdout and len(list(out.iterdir())) == 1
    assert sql("select count(*) from ops.status_change_exports") == [(1,)]


@pytest.mark.parametrize("kind", ["certificate", "id-card"])
def test_print_export_prints_nobody_twice(kind, built_db, tmp_path):
    sql = built_db
    queue = sql("select application_id, certificate_number, full_name, exam_code, pass_date "
                "from marts.mart_print_queue where print_kind = %s "
                "order by pass_date, certificate_number, application_id", (kind,))
    assert {r[0] for r in queue} == {"A1", "A8"}  # the two passes
    out = tmp_path / "out"
    ok(run_cli("export", "print", "--kind", kind, "--out", str(out), cwd=tmp_path))
    path = only_file(out)
    _, rows = read_csv(path)
    assert rows[0] == ["CertificateNumber", "FullName", "ExamCode", "PassDate"]
    assert rows[1:] == [[cell(v) for v in r[1:]] for r in queue]
    assert sorted(r[0] for r in sql("select application_id from ops.print_export_items "
                                    "where print_kind = %s", (kind,))) == ["A1", "A8"]
    again = ok(run_cli("export", "print", "--kind", kind, "--out", str(out), cwd=tmp_path))
    assert "nothing written" in again.stdout and len(list(out.iterdir())) == 1
    wrong = run_cli("export", "print", "--kind", "badge", cwd=tmp_path)
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "error: --kind 'badge': choose one of certificate, id-card"


def test_exports_before_any_build_say_so(db_url, tmp_path):
    result = run_cli("export", "status-changes", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: marts.outbound_status_changes does not "
                                     "exist yet (run python cli.py build)")


def test_anomalies_by_type_and_rows(built_db):
    from loaders.credentialing.exports import anomaly_rows
    from loaders.runs.status import anomaly_counts

    sql = built_db
    conn = psycopg2.connect(sql.url)
    try:
        counts = anomaly_counts(conn)
        assert counts == dict(sql("select anomaly_type, count(*)::int "
                                  "from marts.mart_result_anomalies group by 1"))
        assert sum(counts.values()) >= 2  # E404 and the withdrawn A7
        rows = anomaly_rows(conn, limit=10)
        assert {r["candidate_id"] for r in rows} >= {"P9", "P1"}  # E404 and A7
        assert len(anomaly_rows(conn, limit=1)) == 1
        with conn.cursor() as cur:
            cur.execute("drop view marts.mart_result_anomalies cascade")
        conn.commit()
        assert anomaly_counts(conn) == {} and anomaly_rows(conn, 5) == []
    finally:
        conn.close()


def test_docs_generates_the_site_with_the_marts(built_db, tmp_path):
    from loaders.reporting.docs_site import target_path

    result = ok(run_cli("--quiet", "docs", "--out", "site.html", cwd=tmp_path, timeout=600))
    index = Path(result.stdout.strip().splitlines()[-1])
    assert index == tmp_path / "site.html" and index.exists()
    catalog = json.loads((target_path() / "catalog.json").read_text())
    assert {"model.scorebridge.mart_outcomes_quarterly",
            "model.scorebridge.mart_eligibility_candidates"} <= set(catalog["nodes"])


# -- read-only role for BI tools ----------------------------------------------------------
def bi_role_sql(docs: Path) -> str:
    """The SQL block of docs/credentialing.md's read-only role section."""
    text = docs.read_text()
    section = text[text.index("## Read-only access for BI tools"):]
    return section.split("```sql\n", 1)[1].split("```", 1)[0]


def test_read_only_role_of_the_docs_can_select_marts_and_nothing_else(built_db, tmp_path):
    from tests.helpers import ROOT

    sql = built_db
    dbname, owner = sql("select current_database(), current_user")[0]
    suffix = uuid.uuid4().hex[:8]
    group, login, password = f"marts_reader_{suffix}", f"bi_{suffix}", uuid.uuid4().hex
    statements = (bi_role_sql(ROOT / "docs" / "credentialing.md")
                  .replace("marts_reader", group).replace("metabase", login)
                  .replace("choose-a-long-one", password)
                  .replace("database scorebridge", f"database {dbname}")
                  .replace("for role scorebridge", f"for role {owner}"))
    sql(statements)
    try:
        bi = psycopg2.connect(sql.url, user=login, password=password)
        bi.autocommit = True
        with bi.cursor() as cur:
            cur.execute("select count(*) from marts.mart_application_status")
            assert cur.fetchone()[0] == sql("select count(*) from "
                                            "marts.mart_application_status")[0][0]
            for statement in ("insert into marts.mart_application_status (application_id) "
                              "values ('X')",
                              "create table marts.bi_scratch (x int)",
                              "select count(*) from raw.persons"):
                with pytest.raises(psycopg2.Error):
                    cur.execute(statement)
            # Even with the read-only default switched off, it has no right to write.
            cur.execute("set default_transaction_read_only = off")
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute("insert into marts.mart_application_status (application_id) "
                            "values ('X')")
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute("create table marts.bi_scratch (x int)")
        # dbt recreates the marts: the default privileges keep them readable.
        sql("create table marts.rebuilt_after_grant as select 1 as x")
        with bi.cursor() as cur:
            cur.execute("select x from marts.rebuilt_after_grant")
            assert cur.fetchall() == [(1,)]
        bi.close()
    finally:
        sql("drop table if exists marts.rebuilt_after_grant")
        sql(f"drop owned by {group}; drop owned by {login}; drop role {login}; drop role {group}")
