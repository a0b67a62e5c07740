"""dbt in a child process against the configured database."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from loaders.core.db import Database
from loaders.core.paths import PROJECT_ROOT, STATE_DIR

log = logging.getLogger(__name__)


def dbt(ctx_db: Database, args: list[str], quiet: bool = False) -> int:
    """Runs dbt in a child process against the same database."""
    env = dict(os.environ)
    env.update(ctx_db.dbt_env())
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.setdefault("DBT_LOG_PATH", str(STATE_DIR / "dbt-logs"))
    exe = Path(sys.executable).with_name("dbt")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "dbt.cli.main"]
    cmd += [*args, "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT)]
    log.info("dbt %s", " ".join(args))
    out = subprocess.PIPE if quiet else None
    proc = subprocess.run(cmd, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT,
                          text=True)
    if proc.returncode != 0 and quiet and proc.stdout:
        tail = "\n".join(proc.stdout.strip().splitlines()[-15:])
        log.error("dbt %s failed:\n%s", args[0], tail, extra={"verbatim": True})
    return proc.returncode


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
