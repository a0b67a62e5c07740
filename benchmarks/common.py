"""Helpers for the benchmark scripts: scratch databases, queries and child timing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _new_database(template: str | None = None) -> tuple[str, callable]:
    """A new database on the configured server, empty or a copy of
    ``template``; returns (url, drop)."""
    import psycopg2

    from loaders.core.db import database

    admin = database().url(hide_password=False)
    name = f"sbbench_{uuid.uuid4().hex[:8]}"
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        conn.cursor().execute(f"create database {name}"
                              + (f" template {template}" if template else ""))
    except Exception:
        conn.close()
        raise
    url = urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))

    def drop():
        conn.cursor().execute(f"drop database if exists {name} with (force)")
        conn.close()

    return url, drop


def scratch_database() -> tuple[str, callable]:
    """A new database on the configured server; returns (url, drop)."""
    return _new_database()


def database_like(template_name: str) -> tuple[str, callable]:
    """A copy of the database ``template_name`` (on the configured server,
    with no other session connected to it); returns (url, drop)."""
    return _new_database(template_name)


def query(url: str, sql: str) -> list[tuple]:
    """The rows of one statement, on a connection of its own."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


def timed(cmd: list[str], env: dict | None = None, stdout=subprocess.DEVNULL,
          cwd: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MB) of one child process.

    Runs in `cwd` (the benchmark's scratch folder) so archives and logs a
    command writes never land in the repository.
    """
    full_env = dict(os.environ)
    full_env.update(env or {})
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=full_env, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    return wall, usage.ru_maxrss // 1024


def psql_binary() -> str:
    from pgserver._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / "psql")


def dbt_run_results() -> list[dict]:
    """The nodes of dbt's last run_results.json (DBT_TARGET_PATH when set, as
    the test suite sets it per worker; else the project's target/)."""
    import json
    import os

    target = Path(os.environ.get("DBT_TARGET_PATH", ROOT / "target"))
    return json.loads((target / "run_results.json").read_text())["results"]
