"""dbt in a child process against the configured database."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from loaders.core.db import Database
from loaders.core.paths import PROJECT_ROOT, STATE_DIR
from loaders.core.ui import DBT_OUTPUT_LOGGER, Progress

log = logging.getLogger(__name__)


out_log = logging.getLogger(DBT_OUTPUT_LOGGER)
_NODE = re.compile(r"^\S*\s*(\d+) of (\d+) (START|OK|PASS|WARN|ERROR|FAIL|SKIP)\b")
_FOUND = re.compile(r"\bFound \d+ ")
_DONE = re.compile(r"\bDone\. PASS=")
_COMPLETED = re.compile(r"\bCompleted with \d+ (error|warning)")


def dbt(ctx_db: Database, args: list[str], quiet: bool = False, capture: bool = True,
        vars: dict | None = None) -> int:
    """Runs dbt in a child process against the same database.

    ``vars`` (the configuration's settings for the models, e.g.
    ``cfg.sync.changed_dbt_vars()``) go to dbt as ``--vars '<json>'``, unless
    the arguments already hold ``--vars`` (the caller's own choice wins) or
    name no dbt command (``--help``, ``--version``).

    With ``capture`` (every verb but `python cli.py dbt`) each line of dbt's
    output goes to the log file, and the terminal shows progress: what dbt
    found, a bar of its nodes on a terminal, then its totals. When dbt fails,
    its summary of the failing nodes and their messages is shown as errors.
    """
    env = dict(os.environ)
    env.update(ctx_db.dbt_env())
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.setdefault("DBT_LOG_PATH", str(STATE_DIR / "dbt-logs"))
    # A selection builds the tests it can run: a test that also reads a node left out
    # (e.g. a seed's relationship to another seed) waits for a build that has both.
    # The environment or --indirect-selection on the command line still wins.
    env.setdefault("DBT_INDIRECT_SELECTION", "buildable")
    exe = Path(sys.executable).with_name("dbt")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "dbt.cli.main"]
    if vars and args and not args[0].startswith("-") and "--vars" not in args:
        args = [*args, "--vars", json.dumps(vars, sort_keys=True)]
    cmd += [*args, "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT)]
    log.info("dbt %s", " ".join(args))
    if not capture:
        return subprocess.run(cmd, env=env, cwd=PROJECT_ROOT).returncode
    env["DBT_USE_COLORS"] = "false"  # the log file gets plain text
    lines: list[str] = []
    with Progress(not quiet, counting=True) as progress:
        task = None
        proc = subprocess.Popen(cmd, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace")
        for raw in proc.stdout:
            line = raw.rstrip("\n")
            lines.append(line)
            out_log.info("%s", line)
            node = _NODE.search(line)
            if node is not None:
                if task is None:
                    task = progress.start(f"dbt {args[0]}", int(node[2]))
                if node[3] != "START":
                    progress.advance(task, 1)
            elif _FOUND.search(line) or _DONE.search(line):
                log.info("dbt %s: %s", args[0], _after_time(line))
        code = proc.wait()
    if code != 0:
        log.error("dbt %s failed:\n%s", args[0], "\n".join(failure_lines(lines)),
                  extra={"verbatim": True})
    return code


def _after_time(line: str) -> str:
    """dbt's line without its leading clock time."""
    return re.sub(r"^\d\d:\d\d:\d\d\s+", "", line).strip()


def failure_lines(lines: list[str]) -> list[str]:
    """What dbt said about its failure: from its 'Completed with N errors' summary
    (each failing node and its message) to the end; else its last lines."""
    start = next((i for i, line in enumerate(lines) if _COMPLETED.search(line)), None)
    chosen = lines[start:] if start is not None else lines[-15:]
    return [_after_time(line) for line in chosen if line.strip()]


# What a room records from the models once a build is over (placement: the
# holding rows its mart took in). A room registers here from its cli.py, so
# loaders.runs, which runs the build, need not import any domain.
_AFTER_BUILD: list[Callable[[object], object]] = []


def after_build(record: Callable[[object], object]) -> Callable[[object], object]:
    """Registers ``record(conn)`` to run after every ``build`` (once per function)."""
    if record not in _AFTER_BUILD:
        _AFTER_BUILD.append(record)
    return record


def run_after_build(conn) -> None:
    """Runs what the rooms registered, in registration order."""
    for record in _AFTER_BUILD:
        record(conn)


# What a room does at the end of the scheduled `run`, once the build is over
# (evaluation: writes and emails the new same-date test date changes). Called
# with the run's context and whether the build passed (None: no build); each
# returns lines for the run summary. Registered from the room's cli.py, as
# after_build is.
_AFTER_RUN: list[Callable[[object, bool | None], list[str]]] = []


def after_run(notify: Callable[[object, bool | None], list[str]]) -> Callable:
    """Registers ``notify(ctx, dbt_ok)`` to run at the end of every `run` (once per function)."""
    if notify not in _AFTER_RUN:
        _AFTER_RUN.append(notify)
    return notify


def run_after_run(ctx, dbt_ok: bool | None) -> list[str]:
    """Runs what the rooms registered, in registration order; their summary lines."""
    lines: list[str] = []
    for notify in _AFTER_RUN:
        lines.extend(notify(ctx, dbt_ok))
    return lines
