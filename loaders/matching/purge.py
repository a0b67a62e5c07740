"""``match purge`` (and the end of ``run``): incoming records never matched and
never decided, older than the retention period, taken out of the matching
working tables.

Which records go is the model ``intermediate.int_matching__purgeable`` (a
view: the rule and its var live there). This module records them in
``ops.match_purges`` / ``ops.match_purged_records`` and deletes them from the
two incremental tables that keep them between builds
(``int_matching__records``, ``int_matching__candidates``), in one
transaction; the next build leaves them out of every other matching model.
The file archive and the raw tables are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.core.db import table_exists, transaction
from loaders.matching.decisions import MatchDecisionError, default_person

PURGEABLE = ("intermediate", "int_matching__purgeable")
# The incremental tables that keep records between builds.
WORKING = (("intermediate", "int_matching__records"), ("intermediate", "int_matching__candidates"))


@dataclass
class Purge:
    purge_id: int | None
    records: int
    retention_days: int | None
    deleted: dict[str, int]


def built(conn) -> bool:
    return table_exists(conn, *PURGEABLE) and all(table_exists(conn, *t) for t in WORKING)


def purge(conn, run_id: int | None = None, by: str | None = None,
          dry_run: bool = False) -> Purge:
    """Purges what int_matching__purgeable lists; nothing (no purge row either)
    when it lists nothing. Refuses before the matching models are built."""
    if not built(conn):
        raise MatchDecisionError(f"{'.'.join(PURGEABLE)} is not built yet: run `build` first")
    with transaction(conn) as cur:
        cur.execute("create temporary table purging on commit drop as "
                    "select record_id, file_id, line_number, outcome, received_at, "
                    f"retention_days from {'.'.join(PURGEABLE)}")
        cur.execute("select count(*), max(retention_days) from purging")
        n, days = cur.fetchone()
        n = int(n)
        if n == 0 or dry_run:
            return Purge(None, n, days, {})
        cur.execute("insert into ops.match_purges (run_id, retention_days, purged_by, records) "
                    "values (%s, %s, %s, %s) returning purge_id",
                    (run_id, days, by or default_person(), n))
        purge_id = cur.fetchone()[0]
        cur.execute("insert into ops.match_purged_records (record_id, purge_id, file_id, "
                    "line_number, outcome, received_at) select record_id, %s, file_id, "
                    "line_number, outcome, received_at from purging "
                    "on conflict (record_id) do nothing", (purge_id,))
        deleted = {}
        for schema, table in WORKING:
            cur.execute(f"delete from {schema}.{table} as t using purging as p "
                        "where t.record_id = p.record_id")
            deleted[table] = cur.rowcount
    return Purge(purge_id, n, days, deleted)
