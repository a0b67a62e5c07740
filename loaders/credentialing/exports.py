"""Credentialing files out: eligibility, status changes, print-house lists.

The models decide who is eligible, which statuses changed and who is due a
certificate: each file is ``select * from`` one outbound model (a view in
``marts``, a dbt exposure in models/marts/credentialing/_credentialing__exposures.yml)
that already leaves out what was sent. This module says which file gets
which model's rows, the CLI's parameter filters, and where they are recorded
(tables in ``ops``, made by ``migrations/`` beside this module);
:func:`loaders.outbound.recorded.recorded_export` writes, records and uploads
them, so that a second export right after the first sends nothing twice.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from loaders.core.db import table_exists
from loaders.outbound.csv_files import ExportError
from loaders.outbound.recorded import (
    OutFile,
    Record,
    Written,
    iso_day,
    outbound_rows,
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
# The outbound model of each print kind's file.
PRINT_MODELS = {"certificate": "outbound_print_certificates", "id-card": "outbound_print_id_cards"}
PRINT_KINDS = tuple(PRINT_MODELS)
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
def eligibility_selection(conn, date_from: date, date_to: date, exam: str | None = None,
                          only_new: bool = False) -> list[dict]:
    """The applications an eligibility file for this range would hold.

    ``outbound_eligibility`` has every candidate and whether it was sent; the
    options only filter its columns.
    """
    if date_from > date_to:
        raise ExportError(f"--from {date_from} is after --to {date_to}")
    where = ["submitted_at between %(date_from)s and %(date_to)s"]
    if exam is not None:
        where.append("exam_code = %(exam)s")
    if only_new:
        where.append("not was_sent_before")
    return outbound_rows(conn, "outbound_eligibility", where=" and ".join(where),
                         args={"date_from": date_from, "date_to": date_to, "exam": exam},
                         order_by="submitted_at, application_id")


@dataclass(frozen=True)
class EligibilityCount:
    """What an eligibility export tells before it asks: ``selected`` applications;
    ``already_sent``, the range's candidates an earlier transmission held, by the
    newest transmission that held them (among the selected, or left out by
    --only-new); ``left_out``, the Pending applications of the range and exam
    that no file can hold (marts.mart_eligibility_left_out says why), or None
    when that mart is not built."""

    selected: int
    only_new: bool = False
    already_sent: dict[int | None, int] = field(default_factory=dict)
    left_out: int | None = None


LEFT_OUT_MART = "marts.mart_eligibility_left_out"


def eligibility_left_out(conn, date_from: date, date_to: date, exam: str | None = None) -> int | None:
    """How many Pending applications of the range (and exam) no file can hold.

    An application without a usable submission date or exam could be in any
    range, so it is counted in every one: nothing left out goes unmentioned.
    """
    if not table_exists(conn, "marts", "mart_eligibility_left_out"):
        return None
    with conn.cursor() as cur:
        cur.execute(f"select count(distinct application_id) from {LEFT_OUT_MART} "
                    "where (submitted_at between %(date_from)s and %(date_to)s "
                    "or submitted_at is null) "
                    "and (cast(%(exam)s as text) is null or exam_code = %(exam)s or exam_code is null)",
                    {"date_from": date_from, "date_to": date_to, "exam": exam})
        return cur.fetchone()[0]


def export_eligibility(ctx, *, date_from: date, date_to: date, exam: str | None = None,
                       only_new: bool = False, out: Path = Path("exports"),
                       expect: int | None = None, upload: str | None = None,
                       remote_folder: str | None = None,
                       show: Callable[[EligibilityCount], object] = lambda count: None,
                       confirm: Callable[[int], bool] = lambda n: True) -> Written:
    """Writes, records and (with ``upload``, a source name) sends the eligibility file.

    ``show`` gets the counts (selected, already sent and in which transmission,
    left out for a data reason) first, even when nothing is selected; ``confirm``
    is asked with the record count before anything is written. The
    transmission is recorded and the file uploaded in one transaction: a failed
    upload leaves neither the record nor the file behind.
    """
    source = upload_source(ctx, upload)
    in_range = eligibility_selection(ctx.conn, date_from, date_to, exam)
    rows = [r for r in in_range if not (only_new and r["was_sent_before"])]
    show(EligibilityCount(
        selected=len(rows), only_new=only_new,
        already_sent=dict(sorted(
            Counter(r["last_sent_in_transmission"] for r in in_range if r["was_sent_before"])
            .items(), key=lambda item: (item[0] is None, item[0] or 0))),
        left_out=eligibility_left_out(ctx.conn, date_from, date_to, exam)))
    if expect is not None and len(rows) != expect:
        raise ExportError(f"{len(rows)} application(s) selected, --expect {expect}: "
                          "nothing written")
    if not rows:
        return Written(None, 0)
    if not confirm(len(rows)):
        raise ExportError("not confirmed: nothing written")

    def still_selected() -> list[dict]:
        again = eligibility_selection(ctx.conn, date_from, date_to, exam, only_new)
        if [r["application_id"] for r in again] != [r["application_id"] for r in rows]:
            raise ExportError(f"the selection changed while waiting ({len(again)} application(s) "
                              "now): nothing written, run the export again")
        return rows

    written = recorded_export(
        ctx.conn, ELIGIBILITY_RECORD,
        [OutFile(ELIGIBILITY_HEADER, lambda i, now: f"ELIGIBILITY_{now:%Y%m%d}_{i:06d}.csv")],
        select=still_selected,
        lines=lambda rows: (
            [r["application_id"], r["person_id"], r["last_name"], r["first_name"],
             r["middle_name"], r["email"], r["exam_code"], iso_day(r["eligibility_start"]),
             iso_day(r["eligibility_end"]), r["accommodations"]]
            for r in rows),
        items=lambda r: (r["application_id"],), out=out,
        values={"range_from": date_from, "range_to": date_to, "exam_code": exam},
        source=source, remote_folder=remote_folder)
    log.info("eligibility transmission %s: %s, %s record(s)", written.record_id, written.path,
             written.rows)
    return written


# -- status changes back to the association's system ---------------------------------
def export_status_changes(ctx, *, out: Path = Path("exports")) -> Written:
    """Writes every status change not yet exported and records them as exported."""
    require_mart(ctx.conn, "outbound_status_changes")

    def pending() -> list[dict]:
        return outbound_rows(ctx.conn, "outbound_status_changes",
                             order_by="changed_at, status_change_id")

    return recorded_export(
        ctx.conn, STATUS_CHANGE_RECORD,
        [OutFile(STATUS_CHANGE_COLUMNS, lambda i, now: f"STATUS_CHANGES_{now:%Y%m%d}_{i:06d}.csv")],
        select=pending, lines=lambda rows: ([r[c] for c in STATUS_CHANGE_COLUMNS] for r in rows),
        items=lambda r: (r["status_change_id"],), out=out)


# -- print-house files ----------------------------------------------------------------
def export_print(ctx, *, kind: str, out: Path = Path("exports")) -> Written:
    """Writes the certificates or ID cards not printed yet and records them as printed."""
    if kind not in PRINT_KINDS:
        raise ExportError(f"--kind {kind!r}: choose one of {', '.join(PRINT_KINDS)}")
    model = PRINT_MODELS[kind]
    require_mart(ctx.conn, model)

    def not_printed() -> list[dict]:
        return outbound_rows(ctx.conn, model,
                             order_by="pass_date, certificate_number, application_id")

    return recorded_export(
        ctx.conn, PRINT_RECORD,
        [OutFile(PRINT_HEADER,
                 lambda i, now: f"PRINT_{_safe(kind).upper()}_{now:%Y%m%d}_{i:06d}.csv")],
        select=not_printed,
        lines=lambda rows: ([r["certificate_number"], r["full_name"], r["exam_code"],
                             iso_day(r["pass_date"])] for r in rows),
        items=lambda r: (kind, r["application_id"]), out=out, values={"print_kind": kind})
