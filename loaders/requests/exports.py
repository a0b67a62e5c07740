"""Score requests out: who still owes test scores, as files, recorded.

marts.outbound_score_requests (a view, the dbt exposures score_request_file
and checklist_update_file) has everyone outstanding with their request dates,
the checklist's and our own history read live, so a second export the same
day asks nobody again, and how many days ago each was last asked. This module
keeps the rows older than ``--days`` (a parameter filter on that column),
writes the request file and the checklist update file for the student
system, and records both in ``ops.score_request_files`` /
``ops.score_request_history`` (migrations/ beside this module) through the one
recorded export of ``loaders.outbound.recorded``, which uploads like the
eligibility export.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

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

REQUEST_HEADER = ["PersonID", "EntryTerm", "ItemCode", "FirstRequested", "LastRequested"]
UPDATE_HEADER = ["PersonID", "EntryTerm", "ItemCode", "FirstRequestedDate", "LastRequestedDate"]
REQUEST_RECORD = Record("ops.score_request_files", "file_id", "row_count", "created_at",
                        "ops.score_request_history",
                        ("person_id", "entry_term", "item_code", "requested_on"))

_KEY = ("person_id", "entry_term", "item_code")


def due(conn, days: int) -> list[dict]:
    """The rows of outbound_score_requests never asked or last asked over ``days`` days ago."""
    if days < 0:
        raise ExportError(f"--days {days}: must be 0 or more")
    return outbound_rows(conn, "outbound_score_requests",
                         where="days_since_last_request is null or days_since_last_request > %s",
                         args=(days,), order_by=", ".join(_KEY))


def export_requests(ctx, *, days: int = 3, out: Path = Path("exports"),
                    upload: str | None = None, remote_folder: str | None = None,
                    today: date | None = None,
                    confirm: Callable[[int], bool] = lambda n: True) -> tuple[Written, Path | None]:
    """Writes the request file and the checklist update file; returns both.

    Recording, writing and the upload happen in one transaction: a failed
    upload leaves no record and no file behind, so the people stay due.
    ``today`` dates the files and the requests recorded; the model counts
    ``days_since_last_request`` to the database's current date.
    """
    today = today or date.today()
    source = upload_source(ctx, upload)
    rows = due(ctx.conn, days)
    if not rows:
        return Written(None, 0), None
    if not confirm(len(rows)):
        raise ExportError("not confirmed: nothing written")

    def key(r: dict) -> tuple:
        return tuple(r[k] for k in _KEY)

    def still_due() -> list[dict]:
        if [key(r) for r in due(ctx.conn, days)] != [key(r) for r in rows]:
            raise ExportError("the selection changed while waiting: nothing written, run the "
                              "export again")
        return rows

    written = recorded_export(
        ctx.conn, REQUEST_RECORD,
        [OutFile(REQUEST_HEADER, lambda i, now: f"SCORE_REQUESTS_{today:%Y%m%d}_{i:06d}.csv"),
         OutFile(UPDATE_HEADER, lambda i, now: f"CHECKLIST_UPDATE_{today:%Y%m%d}_{i:06d}.csv",
                 column="update_file_name")],
        select=still_due,
        lines=lambda rows: ([*key(r), iso_day(r["first_requested_date"]) or today.isoformat(),
                             today.isoformat()] for r in rows),
        items=lambda r: (*key(r), today), out=out, source=source, remote_folder=remote_folder)
    log.info("score requests %s: %s, %s request(s)", written.record_id, written.path, written.rows)
    return written, written.files[1]
