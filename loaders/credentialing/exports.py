"""Credentialing files out: eligibility, status changes, print-house lists.

The marts decide who is eligible, which statuses changed and who is due a
certificate. This module says which rows go in which file and where they are
recorded (tables in ``ops``, made by ``migrations/`` beside this module);
:func:`loaders.outbound.recorded.recorded_export` writes, records and uploads
them, so that a second export right after the first sends nothing twice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from loaders.core.db import table_exists
from loaders.outbound.csv_files import ExportError
from loaders.outbound.recorded import (
    OutFile,
    Record,
    Written,
    iso_day,
    recorded_export,
    require_mart,
    upload_source,
)

log = logging.getLogger(__name__)

ELIGIBILITY_HEADER = ["EligibilityID", "CandidateID", "LastName", "FirstName", "MiddleName",
                      "Email", "ExamCode", "EligibilityStart", "EligibilityEnd", "Accommodations"]
STATUS_CHANGE_COLUMNS = ["status_change_id", "application_id", "person_id", "exam_code",
                         "from_status", "to_status", "changed_at", "result_id"]
PRINT_HEADER = ["CertificateNumber", "FullName", "ExamCode", "PassDate"]
PRINT_KINDS = ("certificate", "id-card")
ANOMALY_COLUMNS = ["anomaly_id", "result_id", "anomaly_type", "explanation", "application_id",
                   "candidate_id", "exam_code", "file_id", "line_number"]

ELIGIBILITY_RECORD = Record("ops.eligibility_transmissions", "transmission_id", "record_count",
                            "created_at", "ops.eligibility_transmission_items",
                            ("application_id",))
STATUS_CHANGE_RECORD = Record("ops.status_change_exports", "export_id", "row_count", "exported_at",
                              "ops.status_change_export_items", ("status_change_id",))
PRINT_RECORD = Record("ops.print_exports", "export_id", "row_count", "exported_at",
                      "ops.print_export_items", ("print_kind", "application_id"))


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
       and not exists (select 1 from ops.eligibility_transmission_items as i
                       where i.application_id = c.application_id)))
order by c.submitted_at, c.application_id
"""


def eligibility_selection(conn, date_from: date, date_to: date, exam: str | None = None,
                          only_new: bool = False) -> list[tuple]:
    """The applications an eligibility file for this range would hold."""
    require_mart(conn, "mart_eligibility_candidates")
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
    source = upload_source(ctx, upload)
    rows = eligibility_selection(ctx.conn, date_from, date_to, exam, only_new)
    if expect is not None and len(rows) != expect:
        raise ExportError(f"{len(rows)} application(s) selected, --expect {expect}: "
                          "nothing written")
    if not rows:
        return Written(None, 0)
    if not confirm(len(rows)):
        raise ExportError("not confirmed: nothing written")

    def still_selected() -> list[tuple]:
        again = eligibility_selection(ctx.conn, date_from, date_to, exam, only_new)
        if [r[0] for r in again] != [r[0] for r in rows]:
            raise ExportError(f"the selection changed while waiting ({len(again)} application(s) "
                              "now): nothing written, run the export again")
        return rows

    written = recorded_export(
        ctx.conn, ELIGIBILITY_RECORD,
        [OutFile(ELIGIBILITY_HEADER, lambda i, now: f"ELIGIBILITY_{now:%Y%m%d}_{i:06d}.csv")],
        select=still_selected,
        lines=lambda rows: (
            [app_id, person_id, last, first, middle, email, exam_code, iso_day(start),
             iso_day(end), accommodations]
            for (app_id, person_id, last, first, middle, email, exam_code, start, end,
                 accommodations) in rows),
        items=lambda r: (r[0],), out=out,
        values={"range_from": date_from, "range_to": date_to, "exam_code": exam},
        source=source, remote_folder=remote_folder)
    log.info("eligibility transmission %s: %s, %s record(s)", written.record_id, written.path,
             written.rows)
    return written


# -- status changes back to the association's system ---------------------------------
def export_status_changes(ctx, *, out: Path = Path("exports")) -> Written:
    """Writes every status change not yet exported and records them as exported."""
    require_mart(ctx.conn, "mart_status_changes_pending_export")

    def pending() -> list[tuple]:
        with ctx.conn.cursor() as cur:
            cur.execute(f"select {', '.join('p.' + c for c in STATUS_CHANGE_COLUMNS)} "
                        "from marts.mart_status_changes_pending_export as p "
                        "where not exists (select 1 from ops.status_change_export_items as i "
                        "where i.status_change_id = p.status_change_id) "
                        "order by p.changed_at, p.status_change_id")
            return cur.fetchall()

    return recorded_export(
        ctx.conn, STATUS_CHANGE_RECORD,
        [OutFile(STATUS_CHANGE_COLUMNS, lambda i, now: f"STATUS_CHANGES_{now:%Y%m%d}_{i:06d}.csv")],
        select=pending, lines=lambda rows: rows, items=lambda r: (r[0],), out=out)


# -- print-house files ----------------------------------------------------------------
def export_print(ctx, *, kind: str, out: Path = Path("exports")) -> Written:
    """Writes the certificates or ID cards not printed yet and records them as printed."""
    if kind not in PRINT_KINDS:
        raise ExportError(f"--kind {kind!r}: choose one of {', '.join(PRINT_KINDS)}")
    require_mart(ctx.conn, "mart_print_queue")

    def not_printed() -> list[tuple]:
        with ctx.conn.cursor() as cur:
            cur.execute("select q.application_id, q.certificate_number, q.full_name, "
                        "q.exam_code, q.pass_date from marts.mart_print_queue as q "
                        "where q.print_kind = %s and not exists (select 1 from "
                        "ops.print_export_items as i where i.print_kind = q.print_kind "
                        "and i.application_id = q.application_id) "
                        "order by q.pass_date, q.certificate_number, q.application_id", (kind,))
            return cur.fetchall()

    return recorded_export(
        ctx.conn, PRINT_RECORD,
        [OutFile(PRINT_HEADER,
                 lambda i, now: f"PRINT_{_safe(kind).upper()}_{now:%Y%m%d}_{i:06d}.csv")],
        select=not_printed,
        lines=lambda rows: ([number, name, exam, iso_day(passed)]
                            for _, number, name, exam, passed in rows),
        items=lambda r: (kind, r[0]), out=out, values={"print_kind": kind})
