"""``export sync --to a|b``: the change file for one side of the two-way sync.

marts.outbound_sync_to_<side> (a view, the dbt exposure sync_to_<side>) has
every change for that side not sent before with the same value: pushed or
pulled differences, creates on B, disability on B (docs/sync.md). This
module writes those rows as SYNC_TO_<SIDE>_<day>_<id>.csv and records the
file and each change (with the hash of its value) in ``ops.sync_export_files``
/ ``ops.sync_export_items`` (migrations/ beside this module) through the one
recorded export of ``loaders.outbound.recorded``: run again with nothing
changed, it writes nothing.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from loaders.outbound.csv_files import ExportError
from loaders.outbound.recorded import (
    OutFile,
    Record,
    Written,
    outbound_rows,
    recorded_export,
    upload_source,
)

log = logging.getLogger(__name__)

HEADER = ["change_kind", "entity", "record_id", "field_name", "field_value"]
RECORD = Record("ops.sync_export_files", "file_id", "row_count", "created_at",
                "ops.sync_export_items",
                ("change_kind", "entity", "record_id", "field_name", "value_hash"))
_ORDER = "change_kind, entity, record_id, field_name"
SIDES = ("a", "b")


def export_sync(ctx, side: str, *, out: Path = Path("exports"), upload: str | None = None,
                remote_folder: str | None = None, today: date | None = None) -> Written:
    """Writes SYNC_TO_<SIDE>_<day>_<id>.csv with every change not sent before; records it.

    Nothing to send: no file, no record (``Written.path`` is None).
    """
    if side not in SIDES:
        raise ExportError(f"--to {side}: expected a (the management system) or b (the "
                          "assessment platform)")
    if not ctx.cfg.sync.enabled:
        raise ExportError("sync.enabled is false in the configuration: no change file is "
                          "written (docs/sync.md, Settings)")
    today = today or date.today()
    written = recorded_export(
        ctx.conn, RECORD,
        [OutFile(HEADER, lambda i, now: f"SYNC_TO_{side.upper()}_{today:%Y%m%d}_{i:06d}.csv")],
        select=lambda: outbound_rows(ctx.conn, f"outbound_sync_to_{side}", order_by=_ORDER),
        lines=lambda rows: ([r[c] for c in HEADER] for r in rows),
        items=lambda r: (r["change_kind"], r["entity"], r["record_id"], r["field_name"],
                         r["value_hash"]),
        out=out, values={"side": side}, source=upload_source(ctx, upload),
        remote_folder=remote_folder)
    if written.path is not None:
        log.info("sync to %s: %s, %s change(s)", side, written.path, written.rows)
    return written
