"""Same-date test date changes out: the change file and its email.

marts.outbound_date_changes (a view, the dbt exposure date_change_file) has
every change of mart_test_date_changes no date-change file has held yet, the
record read live. :func:`export_date_changes` writes those rows as the change
file and records it in ``ops.date_change_files`` / ``ops.date_change_items``
(migrations/ beside this module) through the one recorded export of
``loaders.outbound.recorded``: a second export right after the first writes
nothing. :func:`email_pending` sends every recorded file not emailed yet to
the distribution list (``date_changes_to:``), the rows taken from the record
(what the file held), and notes whom and when; a mail that fails stays
pending for the next run. :func:`after_run` is both, at the end of `run`.
"""

from __future__ import annotations

import csv
import io
import logging
import smtplib
from datetime import date
from email.message import EmailMessage
from pathlib import Path

from loaders.core.db import transaction
from loaders.core.mail import open_smtp
from loaders.outbound.csv_files import ExportError
from loaders.outbound.recorded import (
    OutFile,
    Record,
    Written,
    iso_day,
    outbound_rows,
    recorded_export,
    upload_source,
)

log = logging.getLogger(__name__)

HEADER = ["ChangeID", "PersonID", "TestCode", "RecordID", "VendorPersonID", "OldTestDate",
          "NewTestDate", "Rule"]
_COLUMNS = ("change_id", "person_id", "test_code", "record_id", "vendor_person_id",
            "old_test_date", "new_test_date", "date_rule")
RECORD = Record("ops.date_change_files", "file_id", "row_count", "created_at",
                "ops.date_change_items", _COLUMNS)
_ORDER = "person_id, old_test_date, test_code, change_id"
# The mail lists this many changes in its text; the attachment has them all.
LISTED = 50


def pending(conn) -> list[dict]:
    """The changes no date-change file has held (marts.outbound_date_changes)."""
    return outbound_rows(conn, "outbound_date_changes", order_by=_ORDER)


def _line(row: dict) -> list:
    return [row["change_id"], row["person_id"], row["test_code"], row["record_id"],
            row["vendor_person_id"], iso_day(row["old_test_date"]),
            iso_day(row["new_test_date"]), row["date_rule"]]


def export_date_changes(conn, *, out: Path = Path("exports"), source=None,
                        remote_folder: str | None = None,
                        today: date | None = None) -> Written:
    """Writes DATE_CHANGES_<day>_<id>.csv with every change not sent before, and records it.

    Nothing to send: no file, no record (``Written.path`` is None).
    """
    today = today or date.today()
    written = recorded_export(
        conn, RECORD,
        [OutFile(HEADER, lambda i, now: f"DATE_CHANGES_{today:%Y%m%d}_{i:06d}.csv")],
        select=lambda: pending(conn),
        lines=lambda rows: (_line(r) for r in rows),
        items=lambda r: tuple(r[c] for c in _COLUMNS),
        out=out, source=source, remote_folder=remote_folder)
    if written.path is not None:
        log.info("date changes %s: %s, %s change(s)", written.record_id, written.path,
                 written.rows)
    return written


def export_verb(ctx, *, out: Path, upload: str | None = None,
                remote_folder: str | None = None) -> Written:
    """`export date-changes`: the file, uploaded to ``--upload`` when given."""
    return export_date_changes(ctx.conn, out=out, source=upload_source(ctx, upload),
                               remote_folder=remote_folder)


def _unsent(conn) -> list[tuple[int, str, list[dict]]]:
    """Every recorded file not emailed yet, oldest first, with the rows it held."""
    with conn.cursor() as cur:
        cur.execute("select file_id, file_name from ops.date_change_files "
                    "where emailed_at is null order by file_id")
        files = cur.fetchall()
        unsent = []
        for file_id, file_name in files:
            cur.execute(f"select {', '.join(_COLUMNS)} from ops.date_change_items "
                        f"where file_id = %s order by {_ORDER}", (file_id,))
            rows = [dict(zip(_COLUMNS, r, strict=True)) for r in cur.fetchall()]
            unsent.append((file_id, file_name, rows))
    return unsent


def _message(smtp, to: list[str], file_name: str, rows: list[dict]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"scorebridge: {len(rows)} same-date test date change(s) ({file_name})"
    msg["From"] = smtp.sender
    msg["To"] = ", ".join(to)
    text = [f"Where a person's ACT and SAT test dates were the same day, the same-date fix "
            f"moved them apart (docs/evaluation.md): {len(rows)} change(s), all in the "
            f"attached {file_name}.", ""]
    text += [f"{r['person_id']} {r['test_code']}: {iso_day(r['old_test_date'])} -> "
             f"{iso_day(r['new_test_date'])} (record {r['record_id']})" for r in rows[:LISTED]]
    if len(rows) > LISTED:
        text.append(f"... and {len(rows) - LISTED} more in the attachment")
    msg.set_content("\n".join(text) + "\n")
    body = io.StringIO()
    writer = csv.writer(body, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(_line(r) for r in rows)
    msg.add_attachment(body.getvalue().encode("utf-8"), maintype="text", subtype="csv",
                       filename=file_name)
    return msg


def email_pending(conn, smtp, to: list[str]) -> tuple[list[str], list[str]]:
    """Emails every recorded file not emailed yet; (file names sent, problems)."""
    sent, problems = [], []
    for file_id, file_name, rows in _unsent(conn):
        try:
            with open_smtp(smtp) as client:
                client.send_message(_message(smtp, to, file_name, rows))
        except (OSError, smtplib.SMTPException) as exc:
            problems.append(f"{file_name}: not emailed through {smtp.host}:{smtp.port} "
                            f"({type(exc).__name__}); the next run tries again")
            continue
        with transaction(conn) as cur:
            cur.execute("update ops.date_change_files set emailed_to = %s, emailed_at = now() "
                        "where file_id = %s", (", ".join(to), file_id))
        sent.append(file_name)
    return sent, problems


def after_run(ctx, dbt_ok: bool | None) -> list[str]:
    """At the end of `run`, with ``date_changes_to`` configured: the new changes
    written and recorded, then every file not emailed yet sent to the list."""
    cfg = ctx.cfg
    if not cfg.date_changes_to:
        return []
    lines = []
    if dbt_ok is False:
        lines.append("Same-date test date changes: none written, the build failed")
    else:
        try:
            written = export_date_changes(ctx.conn, out=cfg.exports)
        except ExportError as exc:  # e.g. never built yet: the run goes on, and says so
            written = Written(None, 0)
            lines.append(f"Same-date test date changes: none written: {exc}")
        if written.path is not None:
            lines.append(f"Same-date test date changes: {written.rows} new in {written.path}")
    sent, problems = email_pending(ctx.conn, cfg.smtp, cfg.date_changes_to)
    if sent:
        lines.append(f"Same-date test date changes emailed to {', '.join(cfg.date_changes_to)}: "
                     + ", ".join(sent))
    lines.extend(f"Same-date test date changes: {p}" for p in problems)
    return lines
