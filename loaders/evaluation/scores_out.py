"""Scores out to the student system: ``export scores``.

marts.outbound_scores (a view, the dbt exposure scores_file) has every
evaluated score of a matched person that no scores file sent yet, or sent with
other values (score, test date after the same-date fix, best mark, purpose
marks, exemptions: its ``content_hash``). This module writes those rows as the
scores file and records it in ``ops.score_export_files`` /
``ops.score_export_items`` (migrations/ beside this module) through the one
recorded export of ``loaders.outbound.recorded``: a second export right after
the first writes nothing, and a score goes again only when what was sent of it
changed. New persons and new vendor ids have their own exports (matching).
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

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

HEADER = ["ScoreID", "PersonID", "TestCode", "Component", "Score", "TestDate", "VendorTestDate",
          "Official", "Best", "PurposeIndicators", "ExemptionRules", "Change"]
RECORD = Record("ops.score_export_files", "file_id", "row_count", "created_at",
                "ops.score_export_items", ("score_id", "person_id", "content_hash", "change_kind"))
_ORDER = "person_id, test_code, component, test_date, score_id"


def pending(conn) -> list[dict]:
    """The scores the student system has not received as they are now."""
    return outbound_rows(conn, "outbound_scores", order_by=_ORDER)


def _score(value) -> str:
    """A score as the vendor writes it: 25, not 25.0 (GRE writing keeps its 4.5)."""
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else str(value)


def _flag(value) -> str:
    return "Y" if value else "N"


def _line(row: dict) -> list:
    return [row["score_id"], row["person_id"], row["test_code"], row["component"],
            _score(row["score"]), iso_day(row["test_date"]), iso_day(row["vendor_test_date"]),
            _flag(row["is_official"]), _flag(row["is_best"]), row["purpose_indicators"] or "",
            row["exemption_rules"] or "", row["change_kind"]]


def export_scores(ctx, *, out: Path = Path("exports"), upload: str | None = None,
                  remote_folder: str | None = None, today: date | None = None) -> Written:
    """Writes SCORES_<day>_<id>.csv with every new or changed score, and records it.

    Nothing to send: no file, no record (``Written.path`` is None).
    """
    today = today or date.today()
    written = recorded_export(
        ctx.conn, RECORD,
        [OutFile(HEADER, lambda i, now: f"SCORES_{today:%Y%m%d}_{i:06d}.csv")],
        select=lambda: pending(ctx.conn),
        lines=lambda rows: (_line(r) for r in rows),
        items=lambda r: (r["score_id"], r["person_id"], r["content_hash"], r["change_kind"]),
        out=out, source=upload_source(ctx, upload), remote_folder=remote_folder)
    if written.path is not None:
        log.info("scores %s: %s, %s score(s)", written.record_id, written.path, written.rows)
    return written
