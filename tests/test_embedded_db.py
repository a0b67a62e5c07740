"""The embedded PostgreSQL (pgserver) after a kill: a real data folder in tmp,
real postgres processes killed with SIGKILL, the real CLI started again."""

import os
import signal
import subprocess
import sys
import time

import psutil
import psycopg2
import pytest

from tests.helpers import ROOT, run_cli

pytestmark = pytest.mark.integration


@pytest.fixture
def state(tmp_path, monkeypatch):
    """A state folder of its own, with no database URL: the embedded server."""
    monkeypatch.delenv("SCOREBRIDGE_DATABASE_URL", raising=False)
    folder = tmp_path / "state"
    yield folder
    run_cli("db", "stop", cwd=tmp_path, env={"SCOREBRIDGE_STATE_DIR": str(folder)})


def cli(state, *args):
    return run_cli(*args, cwd=state.parent, env={"SCOREBRIDGE_STATE_DIR": str(state)})


def answers(state) -> bool:
    """The database the next command gets takes a query."""
    url = cli(state, "db", "url")
    assert url.returncode == 0, url.stderr
    with psycopg2.connect(url.stdout.strip()) as conn, conn.cursor() as cur:
        cur.execute("select 1")
        return cur.fetchone() == (1,)


def kill_postmaster(pgdata) -> list[str]:
    """SIGKILL to the server, as a crash would; returns its postmaster.pid lines."""
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    proc = psutil.Process(int(lines[0]))
    proc.kill()
    proc.wait(10)
    deadline = time.monotonic() + 15  # its children notice and exit
    while time.monotonic() < deadline and any(
            p.info["name"] == "postgres" and p.info["cwd"] == str(pgdata)
            for p in psutil.process_iter(["name", "cwd"])):
        time.sleep(0.2)
    return lines


def test_a_stale_postmaster_pid_does_not_stop_the_next_command(state):
    started = cli(state, "db", "start")
    assert started.returncode == 0, started.stderr
    pgdata = state / "pgdata"
    lines = kill_postmaster(pgdata)
    # Its number now belongs to another program (numbers are reused).
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        (pgdata / "postmaster.pid").write_text("\n".join([str(other.pid), *lines[1:]]) + "\n")
        assert answers(state)
    finally:
        other.kill()
        other.wait()
    # Killed during the first start: the file is half written.
    lines = kill_postmaster(pgdata)
    (pgdata / "postmaster.pid").write_text("\n".join(lines[:3]) + "\n")
    assert answers(state)
    assert cli(state, "status").returncode == 0


def test_db_stop_with_a_stale_postmaster_pid_says_not_running(state):
    assert cli(state, "db", "start").returncode == 0
    kill_postmaster(state / "pgdata")
    stopped = cli(state, "db", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.strip() == "not running"


def test_a_kill_during_the_first_initdb_leaves_a_folder_the_next_command_starts(state):
    pgdata = state / "pgdata"
    env = dict(os.environ, SCOREBRIDGE_STATE_DIR=str(state))
    first = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "db", "start"],
                             cwd=state.parent, env=env, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (pgdata / "PG_VERSION").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    # Killed in initdb, or (on a busy machine) just after, in the first start: the
    # command, its initdb or its server, all at once. Either way the next starts.
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert (pgdata / "PG_VERSION").exists()
    assert answers(state)


def test_a_folder_of_other_files_is_refused_and_left_as_it_is(state):
    pgdata = state / "pgdata"
    pgdata.mkdir(parents=True)
    (pgdata / "notes.txt").write_text("not a database\n")
    started = cli(state, "db", "start")
    assert started.returncode == 1
    assert started.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "not a PostgreSQL data folder" in started.stderr
    assert (pgdata / "notes.txt").read_text() == "not a database\n"


def test_a_half_made_folder_without_pg_control_is_made_again(state):
    """What an initdb killed before its bootstrap leaves: its folders and
    files, no global/pg_control, no server ever started there."""
    pgdata = state / "pgdata"
    for sub in ("base", "global", "pg_wal", "pg_xact"):
        (pgdata / sub).mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text("16\n")
    (pgdata / "postgresql.conf").write_text("")
    assert answers(state)
