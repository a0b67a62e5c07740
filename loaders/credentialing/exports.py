"""Credentialing files out: eligibility, status changes, print-house lists.

The marts decide who is eligible, which statuses changed and who is due a
certificate. This module only writes their rows as files, records what was
sent (tables in ``sql/credentialing.sql`` beside this module) and uploads, so that a
second export right after the first sends nothing twice.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from loaders.core.db import RUN_LOCK_KEY, table_exists, transaction
from loaders.outbound.csv_files import ExportError, write_csv

log = logging.getLogger(__name__)

# Serialises the exports that record what they sent (not the run lock: an
# export may run while a fetch is landing files).
EXPORT_LOCK_KEY = RUN_LOCK_KEY + 16

ELIGIBILITY_HEADER = ["EligibilityID", "CandidateID", "LastName", "FirstName", "MiddleName",
                      "Email", "ExamCode", "EligibilityStart", "EligibilityEnd", "Accommodations"]
STATUS_CHANGE_COLUMNS = ["status_change_id", "application_id", "person_id", "exam_code",
                         "from_status", "to_status", "changed_at", "result_id"]
PRINT_HEADER = ["CertificateNumber", "FullName", "ExamCode", "PassDate"]
PRINT_KINDS = ("certificate", "id-card")
ANOMALY_COLUMNS = ["anomaly_id", "result_id", "anomaly_type", "explanation", "application_id",
                   "candidate_id", "exam_code", "file_id", "line_number"]


@dataclass
class Written:
    """One export: the file (None when there was nothing to write) and its record."""

    path: Path | None
    rows: int
    sha256: str | None = None
    record_id: int | None = None
    uploaded_to: str | None = None


# -- helpers -----------------------------------------------------------------------
def _require_mart(conn, table: str) -> None:
    if not table_exists(conn, "marts", table):
        raise ExportError(f"marts.{table} does not exist yet (run python cli.py build)")


def _day(value) -> str | None:
    """A date cell as YYYY-MM-DD, whatever type the mart gives it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _target(out: Path, default_name: str) -> Path:
    """``--out`` is a folder (the usual case) or, ending in .csv, the file itself."""
    return out if out.suffix.lower() == ".csv" else out / default_name


def _next_id(cur, table: str, column: str) -> int:
    cur.execute("select nextval(pg_get_serial_sequence(%s, %s))", (table, column))
    return cur.fetchone()[0]


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


# -- anomalies (for status and the run email) -----------------------------------------
def anomaly_rows(conn, limit: int = 50) -> list[dict]:
    """The newest anomalies, one dict per row (keys: ANOMALY_COLUMNS); [] before the build."""
    if not table_exists(conn, "marts", "mart_result_anomalies"):
        return []
    with conn.cursor() as cur:
        cur.execute(f"select {', '.join(ANOMALY_COLUMNS)} from marts.mart_result_anomalies "
                    "order by file_id desc nulls last, line_number, anomaly_id limit %s",
                    (limit,))
        return [dict(zip(ANOMALY_COLUMNS, row, strict=True)) for row in cur.fetchall()]


# -- eligibility out ------------------------------------------------------------------
_ELIGIBILITY_SELECT = """
select c.application_id, c.person_id, c.last_name, c.first_name, c.middle_name, c.email,
       c.exam_code, c.eligibility_start, c.eligibility_end, c.accommodations
from marts.mart_eligibility_candidates as c
where cast(c.submitted_at as date) between %(date_from)s and %(date_to)s
  and (%(exam)s::text is null or c.exam_code = %(exam)s::text)
  and (not %(only_new)s or (
       not coalesce(c.was_sent_before, false)
       -- the mart's flag is as fresh as the last build; the table is fresh now
       and not exists (select 1 from raw.eligibility_transmission_items as i
                       where i.application_id = c.application_id)))
order by c.submitted_at, c.application_id
"""


def eligibility_selection(conn, date_from: date, date_to: date, exam: str | None = None,
                          only_new: bool = False) -> list[tuple]:
    """The applications an eligibility file for this range would hold."""
    _require_mart(conn, "mart_eligibility_candidates")
    if date_from > date_to:
        raise ExportError(f"--from {date_from} is after --to {date_to}")
    with conn.cursor() as cur:
        cur.execute(_ELIGIBILITY_SELECT, {"date_from": date_from, "date_to": date_to,
                                          "exam": exam, "only_new": only_new})
        return cur.fetchall()


def export_eligibility(ctx, *, date_from: date, date_to: date, exam: str | None = None,
                       only_new: bool = False, out: Path = Path("exports"),
                       expect: int | None = None, upload: str | None = None,
                       remote_folder: str | None = None,
                       confirm: Callable[[int], bool] = lambda n: True) -> Written:
    """Writes, records and (with ``upload``, a source name) sends the eligibility file.

    ``confirm`` is asked with the record count before anything is written. The
    transmission is recorded and the file uploaded in one transaction: a failed
    upload leaves neither the record nor the file behind.
    """
    source = _upload_source(ctx, upload)
    rows = eligibility_selection(ctx.conn, date_from, date_to, exam, only_new)
    if expect is not None and len(rows) != expect:
        raise ExportError(f"{len(rows)} application(s) selected, --expect {expect}: "
                          "nothing written")
    if not rows:
        return Written(None, 0)
    if not confirm(len(rows)):
        raise ExportError("not confirmed: nothing written")
    now = datetime.now(UTC)
    uploaded_to = None
    with transaction(ctx.conn) as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", (EXPORT_LOCK_KEY,))
        again = eligibility_selection(ctx.conn, date_from, date_to, exam, only_new)
        if [r[0] for r in again] != [r[0] for r in rows]:
            raise ExportError(f"the selection changed while waiting ({len(again)} application(s) "
                              "now): nothing written, run the export again")
        transmission_id = _next_id(cur, "raw.eligibility_transmissions", "transmission_id")
        name = f"ELIGIBILITY_{now:%Y%m%d}_{transmission_id:06d}.csv"
        path = _target(out, name)
        try:
            n = write_csv(path, ELIGIBILITY_HEADER, (
                [app_id, person_id, last, first, middle, email, exam_code, _day(start),
                 _day(end), accommodations]
                for (app_id, person_id, last, first, middle, email, exam_code, start, end,
                     accommodations) in rows))
            sha = _sha256(path)
            cur.execute("insert into raw.eligibility_transmissions (transmission_id, file_name, "
                        "sha256, record_count, range_from, range_to, exam_code, created_at) "
                        "values (%s, %s, %s, %s, %s, %s, %s, %s)",
                        (transmission_id, path.name, sha, n, date_from, date_to, exam, now))
            cur.executemany("insert into raw.eligibility_transmission_items "
                            "(transmission_id, application_id) values (%s, %s)",
                            [(transmission_id, r[0]) for r in rows])
            if source is not None:
                folder = remote_folder or source.remote_folder
                _upload(source, path, folder)
                uploaded_to = f"{source.name}:{folder}"
                cur.execute("update raw.eligibility_transmissions set uploaded_to = %s, "
                            "uploaded_at = now() where transmission_id = %s",
                            (uploaded_to, transmission_id))
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    log.info("eligibility transmission %s: %s, %s record(s)", transmission_id, path, n)
    return Written(path, n, sha, transmission_id, uploaded_to)


def _upload_source(ctx, name: str | None):
    if name is None:
        return None
    source = ctx.cfg.source(name)
    if source.transport == "https":
        raise ExportError(f"--upload {name}: an https source cannot receive files")
    return source


def _upload(source, path: Path, remote_folder: str) -> None:
    from loaders.custody.transports import TransportError, open_transport

    try:
        with open_transport(source) as transport:
            transport.upload(path, remote_folder, path.name)
    except TransportError as exc:
        raise ExportError(f"upload to {source.name} failed, nothing recorded: {exc}") from None


# -- status changes back to the association's system ---------------------------------
def export_status_changes(ctx, *, out: Path = Path("exports")) -> Written:
    """Writes every status change not yet exported and records them as exported."""
    _require_mart(ctx.conn, "mart_status_changes_pending_export")
    now = datetime.now(UTC)
    with transaction(ctx.conn) as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", (EXPORT_LOCK_KEY,))
        cur.execute(f"select {', '.join('p.' + c for c in STATUS_CHANGE_COLUMNS)} "
                    "from marts.mart_status_changes_pending_export as p "
                    "where not exists (select 1 from raw.status_change_export_items as i "
                    "where i.status_change_id = p.status_change_id) "
                    "order by p.changed_at, p.status_change_id")
        rows = cur.fetchall()
        if not rows:
            return Written(None, 0)
        export_id = _next_id(cur, "raw.status_change_exports", "export_id")
        path = _target(out, f"STATUS_CHANGES_{now:%Y%m%d}_{export_id:06d}.csv")
        try:
            n = write_csv(path, STATUS_CHANGE_COLUMNS, rows)
            sha = _sha256(path)
            cur.execute("insert into raw.status_change_exports (export_id, file_name, sha256, "
                        "row_count, exported_at) values (%s, %s, %s, %s, %s)",
                        (export_id, path.name, sha, n, now))
            cur.executemany("insert into raw.status_change_export_items "
                            "(export_id, status_change_id) values (%s, %s)",
                            [(export_id, r[0]) for r in rows])
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return Written(path, n, sha, export_id)


# -- print-house files ----------------------------------------------------------------
def export_print(ctx, *, kind: str, out: Path = Path("exports")) -> Written:
    """Writes the certificates or ID cards not printed yet and records them as printed."""
    if kind not in PRINT_KINDS:
        raise ExportError(f"--kind {kind!r}: choose one of {', '.join(PRINT_KINDS)}")
    _require_mart(ctx.conn, "mart_print_queue")
    now = datetime.now(UTC)
    with transaction(ctx.conn) as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", (EXPORT_LOCK_KEY,))
        cur.execute("select q.application_id, q.certificate_number, q.full_name, q.exam_code, "
                    "q.pass_date from marts.mart_print_queue as q where q.print_kind = %s "
                    "and not exists (select 1 from raw.print_export_items as i "
                    "where i.print_kind = q.print_kind and i.application_id = q.application_id) "
                    "order by q.pass_date, q.certificate_number, q.application_id", (kind,))
        rows = cur.fetchall()
        if not rows:
            return Written(None, 0)
        export_id = _next_id(cur, "raw.print_exports", "export_id")
        path = _target(out, f"PRINT_{_safe(kind).upper()}_{now:%Y%m%d}_{export_id:06d}.csv")
        try:
            n = write_csv(path, PRINT_HEADER, ([number, name, exam, _day(passed)]
                                               for _, number, name, exam, passed in rows))
            sha = _sha256(path)
            cur.execute("insert into raw.print_exports (export_id, print_kind, file_name, "
                        "sha256, row_count, exported_at) values (%s, %s, %s, %s, %s, %s)",
                        (export_id, kind, path.name, sha, n, now))
            cur.executemany("insert into raw.print_export_items (export_id, print_kind, "
                            "application_id) values (%s, %s, %s)",
                            [(export_id, kind, r[0]) for r in rows])
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return Written(path, n, sha, export_id)
