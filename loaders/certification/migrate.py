"""The certification migration runner: ``migrate certifications`` and ``migrate status``.

The rules are the dbt models of models/*/certification (docs/certification-migration.md);
this module builds them, stops on their errors, and publishes the marts into
the new model's tables (schema ``certification``, loaders/certification/migrations/)
in batches, each committed with its checkpoint in ``ops.cert_migration_batches``:

1. building: ``dbt run`` of the certification models (nothing published yet);
2. built: the errors of ``marts.mart_cert_migration_problems`` are counted; any
   error stops the migration (phase stopped) with every error listed;
3. publishing: the programs, components and requirements go into
   ``certification.<table>__next`` in one transaction, then the enrollments in
   batches of ``batch_size`` SEQNs (bounds fixed when publishing starts);
4. published: in one transaction the primary keys are added, the old tables
   dropped and the ``__next`` tables renamed; readers see the old migration
   or the new one, never half of one.

Killed at any moment, the next run finds the migration with the same
fingerprint (the landed legacy files, the seed and the rules) and goes on
from its phase and its last committed batch; the batches are fixed ranges of
SEQN, so the result is the same as an uninterrupted run. A run whose
fingerprint matches a published migration does nothing.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from loaders.core.db import transaction
from loaders.core.errors import ScorebridgeError
from loaders.core.paths import PROJECT_ROOT

log = logging.getLogger(__name__)

FORMATS = ("legacy_cert_programs", "legacy_cert_components", "legacy_cert_program_components",
           "legacy_cert_registrations")
SELECT = "+path:models/marts/certification"
# What the fingerprint reads besides the landed files: the rules and the seed.
RULE_FOLDERS = ("models/staging/certification", "models/intermediate/certification",
                "models/marts/certification", "macros/certification",
                "seeds/certification")
RULE_FILES = ("macros/parse_date.sql",)
SCHEMA = "certification"
# Target table, mart, key and columns, in publishing order.
TABLES = {
    "programs": ("mart_cert_programs", ("program_code",),
                 ("program_code", "title", "description", "is_active", "requires_approval")),
    "components": ("mart_cert_components", ("component_code",),
                   ("component_code", "title", "description", "credits", "requires_approval",
                    "requires_grade")),
    "program_requirements": ("mart_cert_program_requirements", ("program_code", "component_code"),
                             ("program_code", "component_code", "is_required", "sequence_number",
                              "is_temporary")),
    "enrollments": ("mart_cert_enrollments", ("seqn",),
                    ("seqn", "student_id", "program_code", "component_code", "registered_on",
                     "status", "completed_on", "grade", "credits")),
}
BATCHED = "enrollments"
DEFAULT_BATCH_SIZE = 100_000
MAX_LISTED = 200  # errors printed on the terminal; all of them are in the mart


class MigrationError(ScorebridgeError):
    """The migration cannot start or go on; one clear line."""


class MigrationStopped(ScorebridgeError):
    """The legacy data has errors: nothing was published."""

    def __init__(self, migration_id: int | None, errors: int, warnings: int,
                 listed: list[dict]) -> None:
        self.migration_id = migration_id
        self.errors = errors
        self.warnings = warnings
        self.listed = listed
        super().__init__(
            f"{errors} error(s) in the legacy data, nothing published"
            + (f" (migration {migration_id} stopped)" if migration_id else "")
            + "; fix them and load the corrected extracts "
              "(every problem: marts.mart_cert_migration_problems)")


@dataclass
class Outcome:
    """What one ``migrate certifications`` did."""

    migration_id: int | None
    phase: str
    resumed: bool = False
    nothing_to_do: bool = False
    batches_total: int = 0
    batches_done: int = 0
    rows: dict | None = None
    errors: int = 0
    warnings: int = 0


# -- inputs -------------------------------------------------------------------------------
def inputs(conn) -> tuple[str, list[dict]]:
    """(fingerprint, files): the landed legacy files, hashed with the rules and the seed."""
    with conn.cursor() as cur:
        cur.execute(
            "select format, file_id, sha256 from raw.file_manifest "
            "where format = any(%s) and status = 'landed' and removed_at is null "
            "order by format, file_id", (list(FORMATS),))
        files = [{"format": f, "file_id": i, "sha256": s} for f, i, s in cur.fetchall()]
    missing = [f for f in FORMATS if not any(x["format"] == f for x in files)]
    if missing:
        raise MigrationError(
            "no landed file of " + ", ".join(missing) + ": load the four legacy extracts "
            "first (python cli.py load legacy_cert_<entities> FILE; "
            "docs/certification-migration.md)")
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode())
    for path in _rule_paths():
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest(), files


def _rule_paths() -> list[Path]:
    paths = [PROJECT_ROOT / p for p in RULE_FILES]
    for folder in RULE_FOLDERS:
        paths.extend(sorted(p for p in (PROJECT_ROOT / folder).rglob("*") if p.is_file()))
    return paths


# -- the state ----------------------------------------------------------------------------
def latest(conn) -> dict | None:
    """The newest migration's row (None before the first)."""
    with conn.cursor() as cur:
        cur.execute("select * from ops.cert_migrations order by migration_id desc limit 1")
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def _set(cur, migration_id: int, **values) -> None:
    cols = ", ".join(f"{k} = %s" for k in values)
    cur.execute(f"update ops.cert_migrations set {cols}, updated_at = now() "
                "where migration_id = %s", (*values.values(), migration_id))


def problem_counts(conn) -> tuple[int, int]:
    with conn.cursor() as cur:
        cur.execute("select count(*) filter (where severity = 'error'), "
                    "count(*) filter (where severity = 'warning') "
                    "from marts.mart_cert_migration_problems")
        errors, warnings = cur.fetchone()
    return errors, warnings


def problems(conn, severity: str | None = None, limit: int | None = None) -> list[dict]:
    """The problems, errors first, in file and line order."""
    where = "where severity = %s" if severity else ""
    with conn.cursor() as cur:
        cur.execute(
            "select severity, problem_kind, source_format, file_name, line_number, record_key, "
            f"message from marts.mart_cert_migration_problems {where} "
            "order by severity, source_format, file_id nulls first, line_number nulls first, "
            "problem_kind " + ("limit %s" if limit else ""),
            tuple(x for x in (severity, limit) if x))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# -- the runner ---------------------------------------------------------------------------
def check(ctx, build) -> tuple[int, int]:
    """``--check``: builds the models and counts their problems; publishes nothing,
    records no migration. ``build()`` runs dbt and says whether it passed."""
    inputs(ctx.conn)
    if not build():
        raise MigrationError("the certification models did not build (the errors above; "
                             "the log file has dbt's output)")
    return problem_counts(ctx.conn)


def migrate(ctx, build, *, batch_size: int = DEFAULT_BATCH_SIZE, progress=None,
            by: str | None = None) -> Outcome:
    """Runs, resumes or (inputs unchanged since it was published) skips the migration.

    ``build()`` runs the certification models and says whether they passed;
    ``progress(done, total)`` is told after each committed batch.
    """
    conn = ctx.conn
    fingerprint, files = inputs(conn)
    last = latest(conn)
    if last and last["fingerprint"] == fingerprint and last["phase"] == "published":
        return Outcome(last["migration_id"], "published", nothing_to_do=True,
                       batches_total=last["batches_total"] or 0,
                       batches_done=last["batches_done"], rows=published_counts(conn))
    resumed = bool(last and last["fingerprint"] == fingerprint
                   and last["phase"] in ("building", "built", "publishing"))
    with transaction(conn) as cur:
        if last and not resumed and last["phase"] in ("building", "built", "publishing"):
            _set(cur, last["migration_id"], phase="abandoned",
                 note="the legacy files, the seed or the rules changed before it finished")
            log.warning("migration %s abandoned: its inputs changed", last["migration_id"])
        if resumed:
            migration_id, phase = last["migration_id"], last["phase"]
        else:
            cur.execute(
                "insert into ops.cert_migrations (fingerprint, input_files, phase, batch_size, "
                "started_by) values (%s, %s, 'building', %s, %s) returning migration_id",
                (fingerprint, json.dumps(files), batch_size, by or getpass.getuser()))
            migration_id, phase = cur.fetchone()[0], "building"
    if resumed:
        log.info("migration %s resumed in phase %s (%s of %s batches done)", migration_id,
                 phase, last["batches_done"], last["batches_total"])
    else:
        log.info("migration %s started: %s", migration_id,
                 ", ".join(f"{f['format']} file {f['file_id']}" for f in files))

    if phase == "building":
        if not build():
            raise MigrationError(
                f"migration {migration_id}: the certification models did not build (the errors "
                "above; the log file has dbt's output); run it again once fixed")
        with transaction(conn) as cur:
            _set(cur, migration_id, phase="built")
        phase = "built"

    errors, warnings = problem_counts(conn)
    if phase == "built":
        if errors:
            with transaction(conn) as cur:
                _set(cur, migration_id, phase="stopped", errors=errors, warnings=warnings)
                cur.execute("update ops.cert_migrations set finished_at = now() "
                            "where migration_id = %s", (migration_id,))
            raise MigrationStopped(migration_id, errors, warnings,
                                   problems(conn, "error", MAX_LISTED))
        _start_publishing(conn, migration_id, batch_size, errors, warnings)
        phase = "publishing"

    total, done = _publish_batches(conn, migration_id, progress)
    _swap(conn, migration_id)
    return Outcome(migration_id, "published", resumed=resumed, batches_total=total,
                   batches_done=done, rows=published_counts(conn), errors=errors,
                   warnings=warnings)


def _start_publishing(conn, migration_id: int, batch_size: int, errors: int,
                      warnings: int) -> None:
    """One transaction: fresh ``__next`` tables, the small ones filled, the
    enrollment batches' bounds fixed."""
    with transaction(conn) as cur:
        for table, (mart, _key, columns) in TABLES.items():
            cur.execute(f"drop table if exists {SCHEMA}.{table}__next")
            cur.execute(f"create table {SCHEMA}.{table}__next "
                        f"(like {SCHEMA}.{table} including defaults including constraints)")
            if table != BATCHED:
                cols = ", ".join(columns)
                cur.execute(f"insert into {SCHEMA}.{table}__next ({cols}) "
                            f"select {cols} from marts.{mart}")
        # Every batch_size-th SEQN bounds a batch; read from the staging table
        # (indexed on seqn) that the enrollments view filters: the batches are
        # ranges, some a little under batch_size once errors are left out.
        cur.execute(
            "select seqn from (select seqn, row_number() over (order by seqn) as n "
            "from staging.stg_legacy_cert__registrations where seqn is not null) as numbered "
            "where n %% %s = 0 order by seqn", (batch_size,))
        uppers = [r[0] for r in cur.fetchall()]
        bounds = list(zip([None, *uppers], [*uppers, None], strict=True))
        cur.executemany(
            "insert into ops.cert_migration_batches (migration_id, batch_number, lower_seqn, "
            "upper_seqn) values (%s, %s, %s, %s)",
            [(migration_id, i + 1, lo, hi) for i, (lo, hi) in enumerate(bounds)])
        _set(cur, migration_id, phase="publishing", batches_total=len(bounds),
             batches_done=0, rows_published=0, errors=errors, warnings=warnings)
    log.info("migration %s publishing: %s batch(es) of up to %s enrollments", migration_id,
             len(bounds), batch_size)


def _publish_batches(conn, migration_id: int, progress) -> tuple[int, int]:
    """Publishes the batches not done yet, each in its own transaction with its checkpoint."""
    with conn.cursor() as cur:
        cur.execute("select batch_number, lower_seqn, upper_seqn, done_at is not null "
                    "from ops.cert_migration_batches where migration_id = %s "
                    "order by batch_number", (migration_id,))
        batches = cur.fetchall()
    total = len(batches)
    done = sum(1 for b in batches if b[3])
    _mart, _key, columns = TABLES[BATCHED]
    cols = ", ".join(columns)
    if progress:
        progress(done, total)
    for number, lower, upper, finished in batches:
        if finished:
            continue
        where, params = [], []
        if lower is not None:
            where.append("seqn > %s")
            params.append(lower)
        if upper is not None:
            where.append("seqn <= %s")
            params.append(upper)
        with transaction(conn) as cur:
            cur.execute(f"insert into {SCHEMA}.{BATCHED}__next ({cols}) select {cols} "
                        f"from marts.{TABLES[BATCHED][0]}"
                        + (" where " + " and ".join(where) if where else ""), params)
            rows = cur.rowcount
            cur.execute("update ops.cert_migration_batches set rows_published = %s, "
                        "done_at = now() where migration_id = %s and batch_number = %s",
                        (rows, migration_id, number))
            cur.execute("update ops.cert_migrations set batches_done = batches_done + 1, "
                        "rows_published = rows_published + %s, updated_at = now() "
                        "where migration_id = %s", (rows, migration_id))
        done += 1
        log.info("migration %s: batch %s of %s, %s enrollment(s)", migration_id, number,
                 total, rows)
        if progress:
            progress(done, total)
    return total, done


def _swap(conn, migration_id: int) -> None:
    """One transaction: keys on the ``__next`` tables, which replace the published ones."""
    with transaction(conn) as cur:
        for table, (_mart, key, _columns) in TABLES.items():
            cur.execute(f"alter table {SCHEMA}.{table}__next add constraint "
                        f"{table}__next_pkey primary key ({', '.join(key)})")
        for table in TABLES:
            cur.execute(f"drop table {SCHEMA}.{table}")
            cur.execute(f"alter table {SCHEMA}.{table}__next rename to {table}")
            cur.execute(f"alter index {SCHEMA}.{table}__next_pkey rename to {table}_pkey")
        _set(cur, migration_id, phase="published")
        cur.execute("update ops.cert_migrations set finished_at = now() "
                    "where migration_id = %s", (migration_id,))
    log.info("migration %s published", migration_id)


def published_counts(conn) -> dict:
    with conn.cursor() as cur:
        counts = {}
        for table in TABLES:
            cur.execute(f"select count(*) from {SCHEMA}.{table}")
            counts[table] = cur.fetchone()[0]
    return counts


def migrations(conn, limit: int = 5) -> list[dict]:
    """The newest migrations, newest first (``migrate status``)."""
    with conn.cursor() as cur:
        cur.execute("select * from ops.cert_migrations order by migration_id desc limit %s",
                    (limit,))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
