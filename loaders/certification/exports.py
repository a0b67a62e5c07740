"""``export certifications``: the new model's import files, from the published migration.

Four CSV files (programs, components, program_requirements, enrollments;
layouts in docs/certification-migration.md) in ``<out>/certifications_<export id>/``,
read from the tables of schema ``certification`` with a server-side cursor
(two million enrollments never sit in memory), each written to a temporary
name and renamed, then recorded with its sha256 and row count in
``ops.cert_exports`` in the same transaction as the export's id: a failure
leaves neither files nor a record.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from loaders.certification.migrate import SCHEMA, TABLES
from loaders.core.db import RUN_LOCK_KEY, transaction
from loaders.core.hashing import file_sha256
from loaders.outbound.csv_files import ExportError, write_csv

log = logging.getLogger(__name__)

# Serialises exports of the migration (and keeps a migration's swap out of the way).
CERT_EXPORT_LOCK_KEY = RUN_LOCK_KEY + 17
# The record's column prefix of each file.
RECORD_PREFIX = {"programs": "programs", "components": "components",
                 "program_requirements": "requirements", "enrollments": "enrollments"}
FETCH = 20_000


@dataclass
class Exported:
    export_id: int
    migration_id: int
    folder: Path
    files: dict = field(default_factory=dict)  # table -> (path, rows)


def _cell(value):
    """true/false for booleans, 2 not 2.000000 for credits; the rest as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def export_certifications(ctx, out: Path = Path("exports")) -> Exported:
    conn = ctx.conn
    with conn.cursor() as cur:
        cur.execute("select migration_id from ops.cert_migrations where phase = 'published' "
                    "order by migration_id desc limit 1")
        row = cur.fetchone()
    if row is None:
        raise ExportError("no published certification migration yet "
                          "(python cli.py migrate certifications)")
    migration_id = row[0]
    created = None
    try:
        with transaction(conn) as cur:
            cur.execute("select pg_advisory_xact_lock(%s)", (CERT_EXPORT_LOCK_KEY,))
            cur.execute("select nextval(pg_get_serial_sequence('ops.cert_exports', "
                        "'export_id'))")
            export_id = cur.fetchone()[0]
            folder = Path(out) / f"certifications_{export_id}"
            if folder.exists():
                raise ExportError(f"{folder} exists already; choose another --out")
            created = folder
            done = Exported(export_id, migration_id, folder)
            values = {}
            for table, (_mart, key, columns) in TABLES.items():
                path = folder / f"{table}.csv"
                with conn.cursor(name=f"cert_export_{table}") as rows:
                    rows.itersize = FETCH
                    rows.execute(f"select {', '.join(columns)} from {SCHEMA}.{table} "
                                 f"order by {', '.join(key)}")
                    n = write_csv(path, list(columns),
                                  ([_cell(v) for v in r] for r in rows), line_ending="\n")
                done.files[table] = (path, n)
                prefix = RECORD_PREFIX[table]
                values.update({f"{prefix}_file": str(path), f"{prefix}_sha256": file_sha256(path),
                               f"{prefix}_rows": n})
            cols = ["export_id", "migration_id", "folder", *values]
            cur.execute(f"insert into ops.cert_exports ({', '.join(cols)}) values "
                        f"({', '.join(['%s'] * len(cols))})",
                        (export_id, migration_id, str(folder), *values.values()))
    except BaseException:
        if created is not None:  # the files of a failed export never stay behind
            shutil.rmtree(created, ignore_errors=True)
        raise
    log.info("certification export %s of migration %s: %s", export_id, migration_id,
             ", ".join(f"{t} {n}" for t, (_p, n) in done.files.items()))
    return done
