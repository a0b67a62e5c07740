"""Score requests out: who still owes test scores, as files, recorded.

marts.mart_score_requests_due decides who is outstanding; this module applies
the request window at the moment it runs (the checklist's request dates from
the mart, our own request history read live, so a second export the same day
asks nobody again), writes the request file and the checklist update file for
the student system, records both in
``ops.score_request_files`` / ``ops.score_request_history``
(migrations/ beside this module) through the one recorded export of
``loaders.outbound.recorded``, which uploads like the eligibility export.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

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

REQUEST_HEADER = ["PersonID", "EntryTerm", "ItemCode", "FirstRequested", "LastRequested"]
UPDATE_HEADER = ["PersonID", "EntryTerm", "ItemCode", "FirstRequestedDate", "LastRequestedDate"]
REQUEST_RECORD = Record("ops.score_request_files", "file_id", "row_count", "created_at",
                        "ops.score_request_history",
                        ("person_id", "entry_term", "item_code", "requested_on"))

_DUE_SELECT = """
select m.person_id, m.entry_term, m.item_code,
       least(m.checklist_first_requested_date, h.first_requested_on) as first_requested,
       greatest(m.checklist_last_requested_date, h.last_requested_on) as last_requested
from marts.mart_score_requests_due as m
left join (select person_id, entry_term, item_code, min(requested_on) as first_requested_on,
                  max(requested_on) as last_requested_on
           from ops.score_request_history group by 1, 2, 3) as h
  on h.person_id = m.person_id and h.entry_term = m.entry_term and h.item_code = m.item_code
where coalesce(greatest(m.checklist_last_requested_date, h.last_requested_on) < %(cutoff)s, true)
order by m.person_id, m.entry_term, m.item_code
"""


def due(conn, days: int, today: date) -> list[tuple]:
    """(person, term, item, first requested, last requested) of everyone due today."""
    if days < 0:
        raise ExportError(f"--days {days}: must be 0 or more")
    require_mart(conn, "mart_score_requests_due")
    with conn.cursor() as cur:
        cur.execute(_DUE_SELECT, {"cutoff": today - timedelta(days=days)})
        return cur.fetchall()


def export_requests(ctx, *, days: int = 3, out: Path = Path("exports"),
                    upload: str | None = None, remote_folder: str | None = None,
                    today: date | None = None,
                    confirm: Callable[[int], bool] = lambda n: True) -> tuple[Written, Path | None]:
    """Writes the request file and the checklist update file; returns both.

    Recording, writing and the upload happen in one transaction: a failed
    upload leaves no record and no file behind, so the people stay due.
    """
    today = today or date.today()
    source = upload_source(ctx, upload)
    rows = due(ctx.conn, days, today)
    if not rows:
        return Written(None, 0), None
    if not confirm(len(rows)):
        raise ExportError("not confirmed: nothing written")

    def still_due() -> list[tuple]:
        if [r[:3] for r in due(ctx.conn, days, today)] != [r[:3] for r in rows]:
            raise ExportError("the selection changed while waiting: nothing written, run the "
                              "export again")
        return rows

    written = recorded_export(
        ctx.conn, REQUEST_RECORD,
        [OutFile(REQUEST_HEADER, lambda i, now: f"SCORE_REQUESTS_{today:%Y%m%d}_{i:06d}.csv"),
         OutFile(UPDATE_HEADER, lambda i, now: f"CHECKLIST_UPDATE_{today:%Y%m%d}_{i:06d}.csv",
                 column="update_file_name")],
        select=still_due,
        lines=lambda rows: ([person, term, item, iso_day(first) or today.isoformat(),
                             today.isoformat()] for person, term, item, first, _ in rows),
        items=lambda r: (*r[:3], today), out=out, source=source, remote_folder=remote_folder)
    log.info("score requests %s: %s, %s request(s)", written.record_id, written.path, written.rows)
    return written, written.files[1]
