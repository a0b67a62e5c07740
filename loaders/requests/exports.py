"""Score requests out: who still owes test scores, as files, recorded.

marts.mart_score_requests_due decides who is outstanding; this module applies
the request window at the moment it runs (the checklist's request dates from
the mart, our own request history read live, so a second export the same day
asks nobody again), writes the request file and the checklist update file for
the student system, records both in
``raw.score_request_files`` / ``raw.score_request_history``
(sql/requests.sql beside this module) and uploads like the eligibility export.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from loaders.core.db import transaction
from loaders.credentialing.exports import (
    EXPORT_LOCK_KEY,
    Written,
    _day,
    _next_id,
    _require_mart,
    _sha256,
    _target,
    _upload,
    _upload_source,
)
from loaders.outbound.csv_files import ExportError, write_csv

log = logging.getLogger(__name__)

REQUEST_HEADER = ["PersonID", "EntryTerm", "ItemCode", "FirstRequested", "LastRequested"]
UPDATE_HEADER = ["PersonID", "EntryTerm", "ItemCode", "FirstRequestedDate", "LastRequestedDate"]

_DUE_SELECT = """
select m.person_id, m.entry_term, m.item_code,
       least(m.checklist_first_requested_date, h.first_requested_on) as first_requested,
       greatest(m.checklist_last_requested_date, h.last_requested_on) as last_requested
from marts.mart_score_requests_due as m
left join (select person_id, entry_term, item_code, min(requested_on) as first_requested_on,
                  max(requested_on) as last_requested_on
           from raw.score_request_history group by 1, 2, 3) as h
  on h.person_id = m.person_id and h.entry_term = m.entry_term and h.item_code = m.item_code
where coalesce(greatest(m.checklist_last_requested_date, h.last_requested_on) < %(cutoff)s, true)
order by m.person_id, m.entry_term, m.item_code
"""


def due(conn, days: int, today: date) -> list[tuple]:
    """(person, term, item, first requested, last requested) of everyone due today."""
    if days < 0:
        raise ExportError(f"--days {days}: must be 0 or more")
    _require_mart(conn, "mart_score_requests_due")
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
    source = _upload_source(ctx, upload)
    rows = due(ctx.conn, days, today)
    if not rows:
        return Written(None, 0), None
    if not confirm(len(rows)):
        raise ExportError("not confirmed: nothing written")
    now = datetime.now(UTC)
    with transaction(ctx.conn) as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", (EXPORT_LOCK_KEY,))
        if [r[:3] for r in due(ctx.conn, days, today)] != [r[:3] for r in rows]:
            raise ExportError("the selection changed while waiting: nothing written, run the "
                              "export again")
        file_id = _next_id(cur, "raw.score_request_files", "file_id")
        path = _target(out, f"SCORE_REQUESTS_{today:%Y%m%d}_{file_id:06d}.csv")
        update = path.with_name(f"CHECKLIST_UPDATE_{today:%Y%m%d}_{file_id:06d}.csv")
        lines = [[person, term, item, _day(first) or today.isoformat(), today.isoformat()]
                 for person, term, item, first, _ in rows]
        try:
            n = write_csv(path, REQUEST_HEADER, lines)
            write_csv(update, UPDATE_HEADER, lines)
            sha = _sha256(path)
            cur.execute("insert into raw.score_request_files (file_id, file_name, "
                        "update_file_name, sha256, row_count, created_at) "
                        "values (%s, %s, %s, %s, %s, %s)",
                        (file_id, path.name, update.name, sha, n, now))
            cur.executemany("insert into raw.score_request_history (file_id, person_id, "
                            "entry_term, item_code, requested_on) values (%s, %s, %s, %s, %s)",
                            [(file_id, p, t, i, today) for p, t, i, _, _ in rows])
            uploaded_to = None
            if source is not None:
                folder = remote_folder or source.remote_folder
                _upload(source, path, folder)
                uploaded_to = f"{source.name}:{folder}"
                cur.execute("update raw.score_request_files set uploaded_to = %s, "
                            "uploaded_at = now() where file_id = %s", (uploaded_to, file_id))
        except BaseException:
            path.unlink(missing_ok=True)
            update.unlink(missing_ok=True)
            raise
    log.info("score requests %s: %s, %s request(s)", file_id, path, n)
    return Written(path, n, sha, file_id, uploaded_to), update
