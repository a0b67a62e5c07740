"""The verbs behind the CLI as plain functions: fetch, load, build, run, status.

Each verb that touches files takes the run lock, writes a ``raw.run_log``
row and returns a summary; ``cli.py`` only parses options and calls these.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from loaders.core.context import Context
from loaders.core.db import RAW_SCHEMA, DatabaseError
from loaders.core.dbt import dbt, run_after_build, run_after_run
from loaders.core.runlog import close_abandoned_runs, finish_run, logged_run, run_lock, start_run
from loaders.core.statuses import ARCHIVED, FAILED, REFUSED
from loaders.core.ui import Progress
from loaders.custody.pipeline import Custody, SourceSummary, failure_reason

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    run_id: int
    summaries: list[SourceSummary] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    dbt_ok: bool | None = None
    status: str = "ok"
    email_sent: bool = False
    anomalies: dict = field(default_factory=dict)
    drift_quarantined: list[str] = field(default_factory=list)
    business: object | None = None  # loaders.runs.business.BusinessSummary, after a run
    problems: object | None = None  # loaders.runs.problems.OpenProblems, after a build
    notices: list[str] = field(default_factory=list)  # the rooms' lines (run_after_run)

    def counts(self) -> dict:
        return {
            "sources": {s.source: s.as_dict() for s in self.summaries},
            "files_received": sum(s.received for s in self.summaries),
            "rows_landed": sum(s.rows_landed for s in self.summaries),
            "files_quarantined": sum(s.quarantined for s in self.summaries),
            "files_failed": self.files_failed(),
            "sources_failed": self.sources_failed(),
            "overdue": self.overdue,
            "dbt_ok": self.dbt_ok,
            "anomalies": self.anomalies,
            "drift_quarantined": self.drift_quarantined,
            **({"problems_open": self.problems.open, "problems_new": self.problems.new}
               if self.problems is not None else {}),
        }


    def files_failed(self) -> int:
        return sum(s.failed for s in self.summaries)

    def sources_failed(self) -> int:
        """Sources that could not be read, or where a file failed in a way
        custody does not count per file (a download cut off, a backup refused)."""
        return sum(1 for s in self.summaries if len(s.errors) > s.failed)


def _fail_unfinished(conn, reason: str) -> int:
    """Files still ``archived`` when a command ends (it was interrupted, or
    an error escaped) become ``failed``: no manifest row outlives a command in
    a state that says work is under way. The next run lands them."""
    with conn.cursor() as cur:
        cur.execute(f"update {RAW_SCHEMA}.file_manifest set status = %s, "
                    "quarantine_reason = %s where status = %s", (FAILED, reason, ARCHIVED))
        return cur.rowcount


class _Locked:
    """Run lock + run log around one verb."""

    def __init__(self, ctx: Context, verb: str, wait: bool):
        self.ctx, self.verb, self.wait = ctx, verb, wait

    def __enter__(self) -> RunResult:
        self._lock = run_lock(self.ctx.conn, self.wait)
        self._lock.__enter__()
        close_abandoned_runs(self.ctx.conn)
        self.result = RunResult(run_id=start_run(self.ctx.conn, self.verb))
        return self.result

    def __exit__(self, exc_type, exc, tb):
        r = self.result
        if exc is not None:
            r.status = "failed"
        elif any(s.errors for s in r.summaries) or r.dbt_ok is False:
            r.status = "failed" if r.dbt_ok is False else "partial"
        message = None
        if exc is not None:
            from loaders.core.ui import scrub

            message = scrub(f"{type(exc).__name__}: {exc}")[:500]
        try:
            left = _fail_unfinished(
                self.ctx.conn, "the command ended before the file was landed"
                + (f" ({failure_reason(exc)})" if exc is not None else ""))
            if left:
                log.error("%s file(s) were not landed when the command ended: marked failed, "
                          "retried by the next run", left)
                if r.status == "ok":
                    r.status = "partial"
            finish_run(self.ctx.conn, r.run_id, r.status, r.counts(), message)
        except Exception as again:
            if exc is None and not getattr(self.ctx.conn, "closed", 0):
                raise
            # The connection is gone: the next run marks this one abandoned.
            log.warning("could not record the end of run %s: %s", r.run_id,
                        failure_reason(again))
        finally:
            try:
                self._lock.__exit__(None, None, None)
            except Exception as again:  # the lock went with the connection
                log.debug("run lock not released: %s", failure_reason(again))
        if exc is None and getattr(self.ctx.conn, "closed", 0):
            raise DatabaseError("lost the connection to the database before the run "
                                "was recorded (see the log)")
        return False


def fetch(ctx: Context, sources: list[str] | None, wait: bool = False,
          verb: str = "fetch") -> RunResult:
    chosen = [ctx.cfg.source(n) for n in sources] if sources else ctx.cfg.sources
    with _Locked(ctx, verb, wait) as result, Progress(not ctx.quiet) as progress:
        custody = Custody(ctx.cfg, ctx.db, ctx.conn, result.run_id, progress)
        custody.clean_incoming()
        for src in chosen:
            from loaders.custody.transports import TransportError

            try:
                result.summaries.append(custody.fetch_source(src))
            except TransportError as exc:
                summary = SourceSummary(src.name, errors=[str(exc)])
                result.summaries.append(summary)
                log.error("%s: %s", src.name, exc)
            except DatabaseError:
                raise
            except Exception as exc:  # one source's trouble never stops the others
                reason = failure_reason(exc)
                result.summaries.append(SourceSummary(src.name, errors=[reason]))
                log.error("%s: %s", src.name, reason)
    return result


def load(ctx: Context, fmt: str, paths: list[Path], source: str = "local",
         wait: bool = False) -> RunResult:
    with _Locked(ctx, "load", wait) as result, Progress(not ctx.quiet) as progress:
        custody = Custody(ctx.cfg, ctx.db, ctx.conn, result.run_id, progress)
        custody.clean_incoming()
        result.summaries.append(custody.load_paths(fmt, paths, source))
    return result


def build(ctx: Context, select: str | None = None) -> bool:
    """dbt build of the landed data (seeds, models and data tests), then what the
    rooms record from its models (even after a failed build: each records only
    what the tables it reads now hold). The sync settings that differ from their
    defaults go to dbt as vars (docs/sync.md, Settings). dbt's unit tests check
    the SQL against fixed inputs, not the data, so they run in the test suite
    (tests/test_dbt_unit.py, `dbt test --select test_type:unit`), not nightly."""
    # A partial build runs the tests whose parents it builds, not a test that
    # merely touches one of them (the layout seed's tests read other seeds and
    # admissions models a credentialing build does not make).
    # Models tagged on_request (the matching weight estimates) are built only
    # by the verb that asks for them (`match estimate`), never by a build.
    args = ["build", "--exclude-resource-type", "unit_test", "--exclude", "tag:on_request"] + (
        ["--select", select, "--indirect-selection", "buildable"] if select else [])
    ok = dbt(ctx.db, args, quiet=ctx.quiet, vars=ctx.cfg.sync.changed_dbt_vars()) == 0
    run_after_build(ctx.conn)
    return ok


def build_verb(ctx: Context, select: str | None = None) -> bool:
    """`build` on its own: the build, recorded in raw.run_log (verb 'build', the
    selection and dbt's outcome in its counts)."""
    with logged_run(ctx.conn, "build") as run:
        ok = build(ctx, select)
        run.counts.update(select=select, dbt_ok=ok)
        if not ok:
            run.status, run.message = "failed", "dbt build failed"
    return ok


# -- expectations and the scheduled job ---------------------------------------
def overdue_sources(ctx: Context, now: datetime | None = None) -> list[str]:
    """Sources whose ``expect_every`` window passed with no file received."""
    now = now or datetime.now(UTC)
    late = []
    for src in ctx.cfg.sources:
        if not src.expect_every:
            continue
        with ctx.conn.cursor() as cur:
            cur.execute(f"select max(received_at) from {RAW_SCHEMA}.file_manifest "
                        "where source = %s and status <> %s", (src.name, REFUSED))
            last = cur.fetchone()[0]
        window = timedelta(seconds=src.expect_every)
        if last is None:
            late.append(f"did not receive {src.name} files: none received yet "
                        f"(expected every {_human(window)})")
        elif now - last > window:
            late.append(f"did not receive {src.name} files: last one {last:%Y-%m-%d %H:%M} "
                        f"(expected every {_human(window)})")
    return late


def _human(delta: timedelta) -> str:
    secs = int(delta.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if secs % size == 0:
            return f"{secs // size}{unit}"
    return f"{secs}s"


def run(ctx: Context, wait: bool = False, skip_build: bool = False) -> RunResult:
    """The scheduled job: fetch every source, land, dbt build, alert."""
    result = fetch(ctx, None, wait=wait, verb="run")
    if not skip_build:
        result.dbt_ok = build(ctx)
    result.overdue = overdue_sources(ctx)
    from loaders.runs import status as st

    result.anomalies = st.anomaly_counts(ctx.conn)
    result.drift_quarantined = [f"{name} ({source}): {reason}" for _, source, name, _, reason
                                in st.drift_quarantine(ctx.conn, result.run_id)]
    from loaders.runs.business import gather

    result.business = gather(ctx.conn, result.run_id)
    from loaders.runs.problems import open_problems

    result.problems = open_problems(ctx.conn, result.run_id)
    result.notices = run_after_run(ctx, result.dbt_ok)
    from loaders.runs.alerts import send_summary, summary_text

    text = summary_text(result)
    if ctx.cfg.smtp is not None:
        result.email_sent = send_summary(ctx.cfg.smtp, result, text)
    with ctx.conn.cursor() as cur:
        import json

        status = "failed" if result.dbt_ok is False else result.status
        cur.execute(f"update {RAW_SCHEMA}.run_log set counts = %s, status = %s "
                    "where run_id = %s", (json.dumps(result.counts()), status, result.run_id))
    result.status = status
    return result
