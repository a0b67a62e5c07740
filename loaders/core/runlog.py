"""``raw.run_log``: one row per verb that does something (fetch, load, run,
build, export ...), with its start, end, outcome and counts, and the run lock.

A row is 'running' while its process works. Each running row's session holds
an advisory lock of its own (``RUN_ALIVE_CLASS``, run id), so a row left
'running' by a process that died (kill -9, a lost connection) is told apart
from one still at work, whichever verb it is and whether or not it holds the
run lock: its lock is free.
"""

from __future__ import annotations

import json
import logging
import os
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from loaders.core.db import RAW_SCHEMA, RUN_LOCK_KEY, LockBusy

log = logging.getLogger(__name__)

# Two-key advisory locks (class, run id): a space apart from the one-key locks.
RUN_ALIVE_CLASS = 0x5C02
# The verbs that take the run lock (they process files); their running row
# names who holds it.
LOCKED_VERBS = ("fetch", "load", "run")

_HELD: set[int] = set()  # rows this process has open (its own locks are re-entrant)


@dataclass
class Run:
    """One open run_log row: the verb fills ``counts`` and may set ``status``."""

    run_id: int
    verb: str
    counts: dict = field(default_factory=dict)
    status: str = "ok"
    message: str | None = None


_CURRENT: ContextVar[Run | None] = ContextVar("scorebridge_run", default=None)


def start_run(conn, verb: str) -> int:
    """Inserts a 'running' row and holds its alive lock until :func:`finish_run`."""
    with conn.cursor() as cur:
        cur.execute(f"insert into {RAW_SCHEMA}.run_log (verb, pid) values (%s, %s) "
                    "returning run_id", (verb, os.getpid()))
        run_id = cur.fetchone()[0]
        cur.execute("select pg_advisory_lock(%s, %s)", (RUN_ALIVE_CLASS, run_id))
    _HELD.add(run_id)
    return run_id


def finish_run(conn, run_id: int, status: str, counts: dict, message: str | None = None):
    with conn.cursor() as cur:
        cur.execute(f"update {RAW_SCHEMA}.run_log set ended_at = now(), status = %s, "
                    "counts = %s, message = %s where run_id = %s",
                    (status, json.dumps(counts, default=str), message, run_id))
        if run_id in _HELD:
            cur.execute("select pg_advisory_unlock(%s, %s)", (RUN_ALIVE_CLASS, run_id))
            _HELD.discard(run_id)


def close_abandoned_runs(conn) -> list[int]:
    """Marks 'abandoned' every running row whose process is gone; returns their ids."""
    closed = []
    with conn.cursor() as cur:
        cur.execute(f"select run_id from {RAW_SCHEMA}.run_log where status = 'running' "
                    "order by run_id")
        for (run_id,) in cur.fetchall():
            if run_id in _HELD:
                continue
            cur.execute("select pg_try_advisory_lock(%s, %s)", (RUN_ALIVE_CLASS, run_id))
            if not cur.fetchone()[0]:
                continue  # its process is still at work
            cur.execute(f"update {RAW_SCHEMA}.run_log set status = 'abandoned', "
                        "ended_at = now(), message = 'process ended without finishing' "
                        "where run_id = %s and status = 'running'", (run_id,))
            cur.execute("select pg_advisory_unlock(%s, %s)", (RUN_ALIVE_CLASS, run_id))
            closed.append(run_id)
    return closed


@contextmanager
def logged_run(conn, verb: str):
    """A run_log row around a block: 'ok', or 'failed' with the error's one line.

    The block may set ``run.status`` (e.g. 'failed' for a dbt build that
    failed without raising) and fill ``run.counts``; code deeper down adds
    counts through :func:`note` without being handed the run.
    """
    run = Run(start_run(conn, verb), verb)
    token = _CURRENT.set(run)
    try:
        yield run
    except BaseException as exc:
        run.status = "failed"
        if run.message is None:
            from loaders.core.ui import scrub

            run.message = scrub(f"{type(exc).__name__}: {exc}")[:500]
        raise
    finally:
        _CURRENT.reset(token)
        finish_run(conn, run.run_id, run.status, run.counts, run.message)


def current_run() -> Run | None:
    """The run_log row of the verb under way, if it has one."""
    return _CURRENT.get()


def note(**counts) -> None:
    """Adds counts to the run_log row of the verb under way, if any."""
    run = _CURRENT.get()
    if run is not None:
        run.counts.update(counts)


def note_failure(message: str) -> None:
    """The one-line reason the verb under way failed (shown to the user too)."""
    run = _CURRENT.get()
    if run is not None:
        run.status = "failed"
        run.message = message[:500]


def lock_holder(conn) -> str:
    """Who holds the run lock, in words: run id, verb, pid, start time."""
    placeholders = ", ".join(["%s"] * len(LOCKED_VERBS))
    with conn.cursor() as cur:
        cur.execute(f"select run_id, verb, started_at, pid from {RAW_SCHEMA}.run_log "
                    f"where status = 'running' and verb in ({placeholders}) "
                    "order by run_id desc limit 1", LOCKED_VERBS)
        row = cur.fetchone()
    if row is None:
        return "another run"
    return f"run {row[0]} ({row[1]}, pid {row[3]}, started {row[2]:%Y-%m-%d %H:%M:%S %Z})"


@contextmanager
def run_lock(conn, wait: bool):
    """Holds the run lock for the duration of a run. With ``wait``, a busy lock
    is waited for, after one line saying for which run."""
    with conn.cursor() as cur:
        cur.execute("select pg_try_advisory_lock(%s)", (RUN_LOCK_KEY,))
        if not cur.fetchone()[0]:
            who = lock_holder(conn)
            if not wait:
                raise LockBusy(f"{who} is processing files; try again later or use --wait")
            log.warning("waiting for %s to finish", who)
            cur.execute("select pg_advisory_lock(%s)", (RUN_LOCK_KEY,))
            log.info("the run lock is free; going on")
    try:
        yield
    finally:
        with conn.cursor() as cur:
            cur.execute("select pg_advisory_unlock(%s)", (RUN_LOCK_KEY,))
