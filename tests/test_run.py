"""The scheduled job: fetch, land, build, one email; status; secrets never leak;
run_log rows for every verb; --wait."""

import os
import subprocess
import sys
import time

import pytest

from tests.helpers import ROOT, run_cli, write_config

RESULTS = ("CandidateID,EligibilityID,ExamCode,TestDate,Result\nC1,E1,X,2026-01-05,PASS\n"
           "C2,E2,X,2026-01-05,FAIL\nC3,E3,X,2026-01-05,NS\n")


@pytest.fixture
def job(tmp_path, smtp_server):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "act-inbox").mkdir()
    (inbox / "RESULTS_A_20260110.csv").write_text(RESULTS)
    config = write_config(tmp_path, [
        {"name": "prometric", "format": "prometric_results", "transport": "local",
         "remote_folder": str(inbox), "settle_seconds": 0, "expect_every": "1d"},
        {"name": "act", "format": "act_csv", "transport": "local",
         "remote_folder": str(tmp_path / "act-inbox"), "settle_seconds": 0,
         "expect_every": "3d"},
    ], smtp={"host": smtp_server.host, "port": smtp_server.port,
             "from": "scorebridge@example.org", "to": ["ops@example.org"]})
    return tmp_path, config


def test_run_fetches_builds_and_sends_one_email(job, smtp_server, sql):
    tmp_path, config = job
    result = run_cli("--config", str(config), "run", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "prometric: 1 file(s) received, 3 row(s) landed" in result.stdout
    assert "did not receive act files" in result.stdout
    assert "dbt build: ok" in result.stdout
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    body = mail.get_payload(decode=True).decode() if not mail.is_multipart() else \
        mail.get_body().get_content()
    assert mail["To"] == "ops@example.org"
    assert "prometric: 1 file(s) received, 3 row(s) landed" in body
    assert "did not receive act files: none received yet (expected every 3d)" in body
    assert "did not receive prometric" not in body
    (verb, status, received, rows), = sql(
        "select verb, status, (counts->>'files_received')::int, (counts->>'rows_landed')::int "
        "from raw.run_log")
    assert (verb, status, received, rows) == ("run", "ok", 1, 3)
    audit = sql("select file_name, status, rows_landed from marts.mart_load_audit")
    assert audit == [("RESULTS_A_20260110.csv", "landed", 3)]
    status = run_cli("--config", str(config), "status", cwd=tmp_path)
    assert status.returncode == 0
    assert "RESULTS_A_20260110.csv" in status.stdout and "did not receive act" in status.stdout


def test_secret_never_appears_in_output_logs_or_tables(tmp_path, sftp_server, db_url, sql):
    secret = "Tr0ub4dor&3-never-print-me"
    config = write_config(tmp_path, [{
        "name": "vendor", "format": "act_csv", "transport": "sftp",
        "host": sftp_server.host, "port": sftp_server.port, "user": sftp_server.password_user,
        "password": {"env": "SB_VENDOR_PASSWORD"}, "known_hosts": str(sftp_server.known_hosts),
        "remote_folder": str(sftp_server.root)}])
    result = run_cli("--config", str(config), "fetch", cwd=tmp_path,
                     env={"SB_VENDOR_PASSWORD": secret})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: run ")
    assert "authentication failed" in result.stderr
    written = [result.stdout, result.stderr]
    written += [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    written += [str(row) for row in sql("select * from raw.run_log")]
    written += [str(row) for row in sql("select * from raw.file_manifest")]
    assert written and all(secret not in text for text in written)


@pytest.mark.db_from("credentialing_template")
def test_build_and_export_write_run_log_rows_like_the_other_verbs(tmp_path, sql):
    (first,), = sql("select coalesce(max(run_id), 0) + 1 from raw.run_log")
    out = tmp_path / "out"
    built = run_cli("build", "--select", "stg_raw__run_log", cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    base = ("export", "eligibility", "--from", "2026-01-01", "--to", "2026-01-31", "--out",
            str(out), "--yes")
    wrong = run_cli(*base, "--expect", "999", cwd=tmp_path)
    assert wrong.returncode == 1
    sent = run_cli(*base, cwd=tmp_path)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    audit = run_cli("export", "load-audit", "--out", str(out / "audit.csv"), cwd=tmp_path)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert run_cli("export", "load-audit", "--help", cwd=tmp_path).returncode == 0

    rows = sql("select verb, status, message, counts, ended_at >= started_at from raw.run_log "
               "where run_id >= %s order by run_id", (first,))
    assert [r[:2] for r in rows] == [("build", "ok"), ("export eligibility", "failed"),
                                     ("export eligibility", "ok"), ("export load-audit", "ok")]
    assert all(r[4] for r in rows)  # every row ended
    assert rows[0][3] == {"select": "stg_raw__run_log", "dbt_ok": True}
    assert rows[1][2].endswith("--expect 999: nothing written")
    (pending,), = sql("select count(*) from marts.mart_eligibility_candidates "
                      "where cast(submitted_at as date) between '2026-01-01' and '2026-01-31'")
    assert rows[2][3]["rows"] == pending > 0 and rows[2][3]["record_id"] == 1
    assert rows[3][3]["rows"] == sql("select count(*) from marts.mart_load_audit")[0][0]


# A second process that holds the run lock like a fetch at work, until told to stop.
HOLD_THE_LOCK = """
import os, sys
from loaders.core.context import open_context
from loaders.core.db import RUN_LOCK_KEY
ctx = open_context(None, quiet=True)
with ctx.conn.cursor() as cur:
    cur.execute("select pg_advisory_lock(%s)", (RUN_LOCK_KEY,))
    cur.execute("insert into raw.run_log (verb, pid) values ('fetch', %s) returning run_id",
                (os.getpid(),))
    print(cur.fetchone()[0], flush=True)
    sys.stdin.readline()
    cur.execute("update raw.run_log set status = 'ok', ended_at = now() where status = 'running'")
"""


def test_wait_says_for_which_run_it_waits_then_goes_on(tmp_path, db_url, sql):
    from loaders.core.db import RUN_LOCK_KEY

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "RESULTS_A_20260110.csv").write_text(RESULTS)
    config = write_config(tmp_path, [
        {"name": "prometric", "format": "prometric_results", "transport": "local",
         "remote_folder": str(inbox), "settle_seconds": 0}])
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "SCOREBRIDGE_STATE_DIR": str(tmp_path / ".state")}
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK], cwd=tmp_path, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    waiter = None
    try:
        run_id = int(holder.stdout.readline())
        busy = run_cli("--config", str(config), "fetch", cwd=tmp_path)
        assert busy.returncode == 1 and "use --wait" in busy.stderr
        waiter = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "--config", str(config),
                                   "fetch", "--wait"], cwd=tmp_path, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not sql("select 1 from pg_locks where locktype = 'advisory' and not granted "
                      "and objid = %s", (RUN_LOCK_KEY,)):
            assert waiter.poll() is None and time.monotonic() < deadline, waiter.communicate()
            time.sleep(0.2)
        assert (inbox / "RESULTS_A_20260110.csv").exists()  # nothing taken while waiting
        holder.stdin.write("\n")
        holder.stdin.close()
        assert holder.wait(30) == 0
        out, err = waiter.communicate(timeout=120)
    finally:
        for proc in (holder, waiter):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    assert waiter.returncode == 0, out + err
    waiting = [line for line in err.splitlines() if "waiting for" in line]
    assert len(waiting) == 1, err
    assert f"waiting for run {run_id} (fetch, pid {holder.pid}, started " in waiting[0]
    assert not (inbox / "RESULTS_A_20260110.csv").exists()
    assert sql("select verb, status from raw.run_log where run_id > %s", (run_id,)) == [
        ("fetch", "ok")]


# Two results for Pending applications of the credentialing template (A9 passes, A4
# fails) and one that matches no application.
MORE_RESULTS = ("CandidateID,EligibilityID,LastName,FirstName,ExamCode,TestDate,TestCenter,Score,"
                "PassingScore,Result,ResultDate\n"
                "P3,A9,Smith,Cy,CPA,2026-03-10,TC01,88,70,PASS,2026-03-12\n"
                "P4,A4,O'Neil,Di,CPA,2026-03-11,TC01,50,70,FAIL,2026-03-13\n"
                "P9,E999,Nobody,Ned,CPA,2026-03-11,TC01,90,70,PASS,2026-03-13\n")


def _counted(rows) -> str:
    by = dict(rows)
    return f"{sum(by.values())}" + (" (" + ", ".join(f"{k} {n}" for k, n in by.items()) + ")"
                                    if by else "")


@pytest.mark.db_from("credentialing_template")
def test_run_ends_with_a_business_summary_read_from_the_marts(tmp_path, sql):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "RESULTS_ASSOC_20260315.csv").write_text(MORE_RESULTS)
    (inbox / "RESULTS_ASSOC_20260316.csv").write_text("not,a,result,file\n1,2,3,4\n")
    config = write_config(tmp_path, [
        {"name": "prometric", "format": "prometric_results", "transport": "local",
         "remote_folder": str(inbox), "settle_seconds": 0}])
    result = run_cli("--config", str(config), "run", cwd=tmp_path, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    (run_id,), = sql("select max(run_id) from raw.run_log where verb = 'run'")
    lines = result.stdout.splitlines()
    summary = lines[lines.index(f"In business terms (run {run_id}):"):]
    this_run = "file_id in (select file_id from raw.file_manifest where run_id = %s)"
    outcomes = sql(f"select outcome, count(*) from marts.fct_exam_results where {this_run} "
                   "group by 1 order by 1", (run_id,))
    moved = sql("select to_status, count(*) from marts.fct_application_status_history "
                f"where from_status = 'Pending' and {this_run} group by 1 order by 1", (run_id,))
    assert moved == [("Failed", 1), ("Passed", 1)]  # A4 and A9; P9's result matches nothing
    anomalies = sql("select anomaly_type, count(*) from marts.mart_result_anomalies "
                    "group by 1 order by 1")
    (due, never), = sql("select count(*), count(*) - count(case when was_sent_before then 1 end) "
                        "from marts.outbound_eligibility")
    (scores, people), = sql("select count(*), count(distinct vendor_person_id) "
                            "from marts.mart_scores_by_person")
    (quarantined,), = sql("select count(*) from raw.file_manifest where run_id = %s "
                          "and status = 'quarantined'", (run_id,))
    assert quarantined == 1
    matches = sql("select outcome, count(*) from marts.mart_person_matches group by 1 order by 1")
    marks = sql("select indicator, count(*) from marts.mart_purpose_codes where is_marked "
                "group by 1 order by 1")
    (changes,), = sql("select count(*) from marts.mart_test_date_changes")
    assert summary[1:] == [
        f"  exam results received: {_counted(outcomes)}",
        f"  application statuses moved from Pending: {_counted(moved)}",
        f"  results that need a person (all open): {_counted(anomalies)}",
        f"  applications due for eligibility: {due} ({never} never sent)",
        f"  admissions scores on file: {scores} for {people} person(s)",
        f"  incoming person records matched: {_counted(matches)}",
        f"  best scores marked as used for admission (purpose codes): {_counted(marks)}",
        f"  same-date ACT/SAT test date changes: {changes}",
        "  files quarantined in this run: 1",
        "Next: `python cli.py status` (runs, files, quarantine), `python cli.py report` "
        "(HTML and a CSV of every mart), the exports (`python cli.py export --help`).",
    ]
    assert outcomes == [("Failed", 1), ("Passed", 2)]


# A second process in the middle of a build: its run_log row is open, it holds no run lock.
BUILDING = """
import sys
from loaders.core.context import open_context
try:
    from loaders.core.runlog import start_run
except ImportError:  # where it was before runlog
    from loaders.runs.jobs import start_run
ctx = open_context(None, quiet=True)
print(start_run(ctx.conn, "build"), flush=True)
sys.stdin.readline()
"""


def test_a_build_at_work_is_not_abandoned_by_a_fetch_but_a_dead_one_is(tmp_path, db_url, sql):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = write_config(tmp_path, [
        {"name": "prometric", "format": "prometric_results", "transport": "local",
         "remote_folder": str(inbox), "settle_seconds": 0}])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCOREBRIDGE_STATE_DIR": str(tmp_path / ".s")}
    building = subprocess.Popen([sys.executable, "-c", BUILDING], cwd=tmp_path, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        run_id = int(building.stdout.readline())
        fetched = run_cli("--config", str(config), "fetch", cwd=tmp_path)
        assert fetched.returncode == 0, fetched.stdout + fetched.stderr
        assert sql("select status from raw.run_log where run_id = %s", (run_id,)) == [
            ("running",)]
    finally:
        building.kill()
        building.wait()
    deadline = time.monotonic() + 30
    while sql("select 1 from pg_stat_activity where pid <> pg_backend_pid() and datname = "
              "current_database() and query like 'select pg_advisory_lock(%%'"):
        assert time.monotonic() < deadline  # the killed process's session is going away
        time.sleep(0.2)
    fetched = run_cli("--config", str(config), "fetch", cwd=tmp_path)
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    assert sql("select status, message from raw.run_log where run_id = %s", (run_id,)) == [
        ("abandoned", "process ended without finishing")]

def test_one_source_failing_never_stops_the_others(tmp_path, sql):
    """A source whose inbox is gone (an error custody did not foresee) is counted,
    the other sources are fetched and landed, and the command ends non-zero with
    one line that counts what failed."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "RESULTS_A_20260110.csv").write_text(RESULTS)
    config = write_config(tmp_path, [
        {"name": "gone", "format": "persons", "transport": "local",
         "remote_folder": str(tmp_path / "no-such-inbox"), "settle_seconds": 0},
        {"name": "prometric", "format": "prometric_results", "transport": "local",
         "remote_folder": str(inbox), "settle_seconds": 0},
    ])
    result = run_cli("--config", str(config), "run", "--skip-build", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: run ") and last.endswith(
        "partial: 1 source failed: see `python cli.py status`"), last
    assert "no-such-inbox" in result.stdout + result.stderr
    assert sql("select source, original_name, status from raw.file_manifest") == [
        ("prometric", "RESULTS_A_20260110.csv", "landed")]
    assert sql("select count(*) from raw.prometric_results") == [(3,)]
    assert sql("select status, (counts->>'sources_failed')::int from raw.run_log") == [
        ("partial", 1)]

