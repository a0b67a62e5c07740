"""Records which placement holding rows the scores mart has taken in.

``marts.mart_placement_rows_applied`` (a view) lists the valid holding rows
that ``marts.mart_placement_scores`` now reflects and ``ops.placement_applied``
does not hold yet; after each build they are inserted there, so the next
incremental build skips them. dbt never writes into ``ops``.
"""

from __future__ import annotations

import logging

from loaders.core.db import table_exists, transaction

log = logging.getLogger(__name__)


def record_applied(conn) -> int:
    """Inserts the rows the mart took in into ops.placement_applied; returns how many."""
    if not table_exists(conn, "marts", "mart_placement_rows_applied"):
        return 0
    with transaction(conn) as cur:
        cur.execute("insert into ops.placement_applied (file_id, line_number) "
                    "select file_id, line_number from marts.mart_placement_rows_applied "
                    "on conflict (file_id, line_number) do nothing")
        n = cur.rowcount
    if n:
        log.info("placement: %s holding row(s) recorded as applied", n)
    return n
