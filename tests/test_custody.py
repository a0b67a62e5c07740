"""Custody promises, each proven against a real database and real files."""

import hashlib
import signal
import threading
import time

import psycopg2
import pytest

from loaders.core.crash import CRASH_POINTS
from loaders.core.db import RUN_LOCK_KEY
from tests.helpers import run_cli, write_config

HEADER = "CandidateID,EligibilityID,LastName,FirstName,ExamCode,TestDate,Score,Result\n"


def results_file(path, n: int, tag: str) -> bytes:
    body = HEADER + "".join(f"C{tag}{i},E{tag}{i},Doe,Jan,EX1,2026-01-0{1 + i % 9},"
                            f"{60 + i},PASS\n" for i in range(n))
    path.write_text(body)
    return body.encode()


@pytest.fixture
def inbox_project(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    backup = tmp_path / "backup"
    config = write_config(tmp_path, [{
        "name": "prometric", "format": "prometric_results", "transport": "local",
        "remote_folder": str(inbox), "pattern": "*", "backup_folder": str(backup),
        "settle_seconds": 0,
    }])
    return tmp_path, inbox, backup, config


def fetch(project, *extra, env=None):
    tmp_path, _, _, config = project
    return run_cli("--config", str(config), "fetch", *extra, cwd=tmp_path, env=env)


def archived_files(tmp_path):
    return sorted(p for p in (tmp_path / "archive" / "prometric").rglob("*") if p.is_file())


def test_fetch_archives_records_lands_backs_up_then_removes(inbox_project, sql):
    tmp_path, inbox, backup, _ = inbox_project
    a = results_file(inbox / "RESULTS_X_20260101.csv", 3, "a")
    b = results_file(inbox / "RESULTS_X_20260102.csv", 2, "b")
    result = fetch(inbox_project)
    assert result.returncode == 0, result.stderr
    assert "2 file(s) received, 5 row(s) landed" in result.stdout
    assert list(inbox.iterdir()) == []
    assert sorted(p.name for p in backup.iterdir()) == ["RESULTS_X_20260101.csv",
                                                        "RESULTS_X_20260102.csv"]
    rows = sql("select original_name, status, sha256, size_bytes, rows_landed, archive_path, "
               "removed_at is not null, backed_up_at is not null "
               "from raw.file_manifest order by original_name")
    for (_name, status, sha, size, landed, path, removed, backed), data, n in zip(
            rows, (a, b), (3, 2), strict=True):
        assert status == "landed" and removed and backed
        assert sha == hashlib.sha256(data).hexdigest() and size == len(data) and landed == n
        assert open(path, "rb").read() == data
        assert "/archive/prometric/" in path
    assert sql("select count(*) from raw.prometric_results") == [(5,)]
    again = fetch(inbox_project)
    assert again.returncode == 0 and "0 file(s) received" in again.stdout


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_crash_at_any_step_then_rerun_loses_nothing_and_lands_once(point, inbox_project, sql):
    tmp_path, inbox, backup, _ = inbox_project
    a = results_file(inbox / "R1.csv", 4, "a")
    b = results_file(inbox / "R2.csv", 3, "b")
    crashed = fetch(inbox_project, env={"SCOREBRIDGE_CRASH_AT": point})
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    rerun = fetch(inbox_project)
    assert rerun.returncode == 0, rerun.stderr
    assert list(inbox.iterdir()) == []
    assert sorted(p.read_bytes() for p in backup.iterdir()) == sorted([a, b])
    archived = archived_files(tmp_path)
    assert sorted(p.read_bytes() for p in archived) == sorted([a, b])  # each archived once
    assert not list((tmp_path / "archive" / ".incoming").glob("*"))
    assert sql("select original_name, status, duplicate_of from raw.file_manifest "
               "order by original_name") == [("R1.csv", "landed", None),
                                             ("R2.csv", "landed", None)]
    per_file = sql("select m.original_name, count(r.*), count(distinct r._line_number) "
                   "from raw.file_manifest m join raw.prometric_results r "
                   "on r._file_id = m.file_id group by 1 order by 1")
    assert per_file == [("R1.csv", 4, 4), ("R2.csv", 3, 3)]
    assert sql("select count(*) from raw.run_log where status = 'abandoned'") == [(1,)]


def test_same_content_under_another_name_is_a_duplicate(inbox_project, sql):
    tmp_path, inbox, _, _ = inbox_project
    data = results_file(inbox / "FIRST.csv", 3, "a")
    assert fetch(inbox_project).returncode == 0
    (inbox / "SECOND_NAME.csv").write_bytes(data)
    result = fetch(inbox_project)
    assert result.returncode == 0 and "1 duplicate" in result.stdout
    assert sql("select original_name, status, duplicate_of is not null from raw.file_manifest "
               "order by file_id") == [("FIRST.csv", "landed", False),
                                       ("SECOND_NAME.csv", "duplicate", True)]
    assert sql("select count(*) from raw.prometric_results") == [(3,)]
    assert list(inbox.iterdir()) == []
    assert len(archived_files(tmp_path)) == 1


def test_empty_file_is_recorded_and_removed_not_landed(inbox_project, sql):
    tmp_path, inbox, backup, _ = inbox_project
    (inbox / "EMPTY.csv").write_bytes(b"")
    result = fetch(inbox_project)
    assert result.returncode == 0 and "1 empty" in result.stdout
    assert sql("select original_name, status, rows_landed, removed_at is not null "
               "from raw.file_manifest") == [("EMPTY.csv", "empty", None, True)]
    assert list(inbox.iterdir()) == []
    # Its backup copy was made from a stand-in that does not stay behind.
    assert [p.name for p in backup.iterdir()] == ["EMPTY.csv"]
    assert list((tmp_path / "archive" / ".incoming").iterdir()) == []


def test_files_still_being_written_wait_for_the_next_run(inbox_project, sql):
    _, inbox, _, _ = inbox_project
    for name in ("A.csv.part", "B.filepart", "C.tmp"):
        results_file(inbox / name, 1, name[0])
    result = fetch(inbox_project)
    assert result.returncode == 0 and "3 still being written" in result.stdout
    assert sorted(p.name for p in inbox.iterdir()) == ["A.csv.part", "B.filepart", "C.tmp"]
    assert sql("select count(*) from raw.file_manifest") == [(0,)]


def test_file_growing_between_two_listings_waits(tmp_path, db_url, sql, monkeypatch):
    from loaders.core.context import open_context
    from loaders.custody import pipeline as custody
    from loaders.runs import jobs

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    growing = inbox / "GROWING.csv"
    results_file(growing, 2, "g")
    steady = results_file(inbox / "STEADY.csv", 1, "s")
    config = write_config(tmp_path, [{"name": "p", "format": "prometric_results",
                                      "transport": "local", "remote_folder": str(inbox),
                                      "settle_seconds": 0.01}])

    def vendor_still_writing(seconds):
        with open(growing, "a") as f:
            f.write("Cg9,Eg9,Doe,Jan,EX1,2026-01-01,70,PASS\n")

    monkeypatch.setattr(custody.time, "sleep", vendor_still_writing)
    ctx = open_context(config, quiet=True)
    result = jobs.fetch(ctx, None)
    assert result.summaries[0].waiting == 1 and result.summaries[0].received == 1
    assert [p.name for p in inbox.iterdir()] == ["GROWING.csv"]
    assert sql("select original_name, size_bytes from raw.file_manifest") == [
        ("STEADY.csv", len(steady))]
    monkeypatch.setattr(custody.time, "sleep", lambda s: None)
    result = jobs.fetch(ctx, None)
    assert result.summaries[0].received == 1 and not list(inbox.iterdir())


def test_unsafe_remote_name_is_refused_and_nothing_escapes(inbox_project, sql):
    tmp_path, inbox, _, _ = inbox_project
    evil = inbox / "..\\..\\evil.csv"  # a legal name on Linux, a path elsewhere
    results_file(evil, 1, "e")
    result = fetch(inbox_project)
    assert result.returncode == 0 and "1 refused" in result.stdout
    assert evil.exists()
    assert sql("select status from raw.file_manifest") == [("refused",)]
    written = {p.name for p in tmp_path.rglob("*evil*")}
    assert written == {evil.name}
    assert fetch(inbox_project).returncode == 0
    assert sql("select count(*) from raw.file_manifest") == [(1,)]  # refused once, not twice


def test_second_run_waits_or_exits_with_a_clear_message(inbox_project, db_url, sql):
    _, inbox, _, _ = inbox_project
    results_file(inbox / "R.csv", 1, "r")
    holder = psycopg2.connect(db_url)
    holder.autocommit = True
    with holder.cursor() as cur:
        cur.execute("select pg_advisory_lock(%s)", (RUN_LOCK_KEY,))
    try:
        busy = fetch(inbox_project)
        assert busy.returncode == 1
        assert "is processing files; try again later or use --wait" in busy.stderr
        assert (inbox / "R.csv").exists()
        released = threading.Timer(3, lambda: holder.cursor().execute(
            "select pg_advisory_unlock(%s)", (RUN_LOCK_KEY,)))
        released.start()
        start = time.monotonic()
        waited = fetch(inbox_project, "--wait")
        assert waited.returncode == 0, waited.stderr
        assert time.monotonic() - start >= 2.5
        assert not (inbox / "R.csv").exists()
    finally:
        holder.close()


def test_load_same_custody_for_local_files(tmp_path, sql):
    path = tmp_path / "persons.csv"
    path.write_text("person_id,last_name\nP1,Smith\n")
    first = run_cli("load", "persons", str(path), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = run_cli("load", "persons", str(path), cwd=tmp_path)
    assert "1 duplicate" in second.stdout
    assert path.exists()  # local files are never removed
    assert sql("select count(*) from raw.persons") == [(1,)]
    missing = run_cli("load", "persons", str(tmp_path / "nope.csv"), cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines()[-1].endswith("nope.csv: no such file")
    unknown = run_cli("load", "nope_format", str(path), cwd=tmp_path)
    assert unknown.returncode == 1 and "unknown format 'nope_format'" in unknown.stderr


def fail_rows_of(sql, candidate: str, action: str) -> None:
    """A real failure of the raw table: a trigger that ``action``s on one candidate."""
    sql(f"""create function raw.fail_on_candidate() returns trigger language plpgsql as $$
            begin
                if new.candidateid = '{candidate}' then {action}; end if;
                return new;
            end $$""")
    sql("create trigger fail_on_candidate before insert on raw.prometric_results "
        "for each row execute function raw.fail_on_candidate()")


def test_a_file_that_fails_to_land_is_marked_failed_and_the_others_land(inbox_project, sql):
    """An unexpected error while landing one file (here the raw table refuses a row)
    marks that file failed with the reason; the others land and leave the server,
    the command ends with one line counting the failure, no manifest row is left
    archived, and the next run lands the failed file exactly once."""
    tmp_path, inbox, _, _ = inbox_project
    assert fetch(inbox_project).returncode == 0  # the raw tables exist from now on
    fail_rows_of(sql, "BOOM", "raise exception 'could not extend file: No space left on device'")
    results_file(inbox / "R1.csv", 3, "a")
    (inbox / "R2.csv").write_text(HEADER + "BOOM,E1,Doe,Jan,EX1,2026-01-01,70,PASS\n")
    results_file(inbox / "R3.csv", 2, "c")
    failed = fetch(inbox_project)
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr, failed.stderr
    last = failed.stderr.strip().splitlines()[-1]
    assert last.startswith("error: run ") and last.endswith(
        "partial: 1 file failed: see `python cli.py status`"), last
    assert "R2.csv" in failed.stdout + failed.stderr
    rows = sql("select original_name, status, quarantine_reason from raw.file_manifest "
               "where original_name like 'R%%' order by 1")
    assert [(n, st) for n, st, _ in rows] == [
        ("R1.csv", "landed"), ("R2.csv", "failed"), ("R3.csv", "landed")]
    assert "No space left on device" in rows[1][2]
    assert [p.name for p in inbox.iterdir()] == ["R2.csv"]  # kept until its rows are in
    shown = run_cli("--config", str(inbox_project[3]), "status", cwd=tmp_path)
    assert "R2.csv" in shown.stdout and "failed" in shown.stdout
    # Retried by the next run (from the archive; then found on the server again,
    # it is not tried twice): it fails once more, counted once.
    still = fetch(inbox_project)
    assert still.returncode == 1
    assert still.stderr.strip().splitlines()[-1].endswith(
        "partial: 1 file failed: see `python cli.py status`"), still.stderr
    assert [p.name for p in inbox.iterdir()] == ["R2.csv"]

    sql("drop trigger fail_on_candidate on raw.prometric_results")
    again = fetch(inbox_project)
    assert again.returncode == 0, again.stderr
    assert list(inbox.iterdir()) == []
    assert sql("select status, count(*) from raw.file_manifest group by 1") == [("landed", 3)]
    assert sql("select m.original_name, count(*) from raw.file_manifest m "
               "join raw.prometric_results r on r._file_id = m.file_id "
               "group by 1 order by 1") == [("R1.csv", 3), ("R2.csv", 1), ("R3.csv", 2)]


def test_a_lost_landing_connection_fails_that_file_in_one_line(inbox_project, sql):
    """dlt's connection dies in the middle of a COPY (its server process is
    terminated): that file is failed with a clear reason, the next file lands,
    and the command ends with one line, no traceback."""
    tmp_path, inbox, _, _ = inbox_project
    assert fetch(inbox_project).returncode == 0
    fail_rows_of(sql, "CUT", "perform pg_terminate_backend(pg_backend_pid())")
    (inbox / "R1.csv").write_text(HEADER + "CUT,E1,Doe,Jan,EX1,2026-01-01,70,PASS\n")
    results_file(inbox / "R2.csv", 2, "b")
    result = fetch(inbox_project)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(
        "partial: 1 file failed: see `python cli.py status`")
    (reason,), = sql("select quarantine_reason from raw.file_manifest "
                     "where original_name = 'R1.csv' and status = 'failed'")
    assert "terminating connection" in reason or "closed the connection" in reason, reason
    assert len(reason.splitlines()) == 1
    assert sql("select status from raw.file_manifest where original_name = 'R2.csv'") == [
        ("landed",)]


def test_losing_the_database_ends_the_command_in_one_line(inbox_project, sql):
    """Every connection of the command is cut during a landing: one clear line, no
    traceback; the next run lands every file exactly once."""
    tmp_path, inbox, _, _ = inbox_project
    assert fetch(inbox_project).returncode == 0
    (mine,), = sql("select pg_backend_pid()")
    # Every other backend of the command first, the COPY's own last: ending itself
    # first, the loop could stop before it reached the command's connection.
    fail_rows_of(sql, "CUT", "perform pg_terminate_backend(pid) from pg_stat_activity "
                 f"where datname = current_database() and pid not in ({mine}, "
                 "pg_backend_pid()); perform pg_terminate_backend(pg_backend_pid())")
    (inbox / "R1.csv").write_text(HEADER + "CUT,E1,Doe,Jan,EX1,2026-01-01,70,PASS\n")
    results_file(inbox / "R2.csv", 2, "b")
    result = fetch(inbox_project)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: lost the connection to the database"), last
    sql("drop trigger fail_on_candidate on raw.prometric_results")
    again = fetch(inbox_project)
    assert again.returncode == 0, again.stderr
    assert list(inbox.iterdir()) == []
    assert sql("select original_name, status from raw.file_manifest order by 1") == [
        ("R1.csv", "landed"), ("R2.csv", "landed")]
    assert sql("select count(*) from raw.prometric_results") == [(3,)]


def test_part_files_of_a_killed_landing_are_removed_by_the_next_run(inbox_project, sql):
    """dlt's part files hold copies of people's rows: a landing killed halfway
    leaves them, and the next run removes them before it does anything else."""
    tmp_path, inbox, _, _ = inbox_project
    results_file(inbox / "R1.csv", 3, "a")
    crashed = fetch(inbox_project, env={"SCOREBRIDGE_CRASH_AT": "during_land"})
    assert crashed.returncode == -signal.SIGKILL
    work = tmp_path / ".state" / "dlt"
    left = [p for p in work.rglob("*") if p.is_file()]
    assert any(b"Ca0" in p.read_bytes() for p in left), left  # a person's row, on disk
    assert fetch(inbox_project).returncode == 0
    assert [p for p in work.rglob("*") if p.is_file()] == []


def test_an_interrupted_command_leaves_no_file_archived(tmp_path, sql):
    """Ctrl-C in the middle of a landing: the command ends without a traceback and
    the file is failed, not archived; loading the same file again lands it once."""
    import os
    import subprocess
    import sys

    from tests.helpers import ROOT

    path = tmp_path / "big.csv"
    results_file(path, 300_000, "z")
    env = {**os.environ, "SCOREBRIDGE_STATE_DIR": str(tmp_path / ".state")}
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "load", "prometric_results",
                             str(path)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            started = sql("select count(*) from raw.file_manifest "
                          "where land_started_at is not null") if sql(
                "select to_regclass('raw.file_manifest') is not null")[0][0] else [(0,)]
            if started[0][0]:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the landing ended before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0 and "Traceback" not in err, err
    (status, reason), = sql("select status, quarantine_reason from raw.file_manifest")
    assert status == "failed"
    assert reason.startswith("the command ended before the file was landed (KeyboardInterrupt")
    again = run_cli("load", "prometric_results", str(path), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert sql("select status, rows_landed from raw.file_manifest") == [("landed", 300_000)]
    assert sql("select count(*), count(distinct _line_number) from raw.prometric_results") == [
        (300_000, 300_000)]


def test_a_file_that_fails_halfway_keeps_no_rows(tmp_path, sql):
    """Its first 200,000 rows were copied (and committed) before the error: the
    failed file holds none of them until it lands whole."""
    path = tmp_path / "big.csv"
    results_file(path, 260_000, "p")
    # Any command makes the raw tables (this one then stops: no such file).
    assert run_cli("load", "persons", str(tmp_path / "none.csv"), cwd=tmp_path).returncode == 1
    fail_rows_of(sql, "Cp250000", "raise exception 'could not write block: I/O error'")
    result = run_cli("load", "prometric_results", str(path), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert sql("select status from raw.file_manifest") == [("failed",)]
    assert sql("select count(*) from raw.prometric_results") == [(0,)]


def test_a_local_file_that_cannot_be_read_never_stops_the_others(tmp_path, sql):
    """/proc/self/mem is a file no read gets through (EIO): it is counted as failed
    (nothing archived, nothing recorded), the next file lands, one line at the end."""
    good = tmp_path / "persons.csv"
    good.write_text("person_id,last_name\nP1,Smith\n")
    result = run_cli("load", "persons", "/proc/self/mem", str(good), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "mem failed: OSError" in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(
        "partial: 1 file failed: see `python cli.py status`")
    assert sql("select original_name, status from raw.file_manifest") == [
        ("persons.csv", "landed")]
    assert list((tmp_path / "archive" / ".incoming").iterdir()) == []
