"""``status``: recent runs, the last file per source, quarantined, refused and
failed files with their reasons, open problems."""

from __future__ import annotations

from loaders.core.db import RAW_SCHEMA, table_exists
from loaders.core.names import printable
from loaders.core.statuses import FAILED, QUARANTINED, REFUSED


def anomaly_counts(conn) -> dict[str, int]:
    """Results that need a person, by type (empty before the marts exist)."""
    if not table_exists(conn, "marts", "mart_result_anomalies"):
        return {}
    with conn.cursor() as cur:
        cur.execute("select anomaly_type, count(*) from marts.mart_result_anomalies "
                    "group by 1 order by 1")
        return {kind: int(n) for kind, n in cur.fetchall()}


def drift_quarantine(conn, run_id: int | None = None) -> list[tuple]:
    """Files the models quarantined as a whole (layout drift), newest first."""
    if not table_exists(conn, "marts", "mart_file_quarantine"):
        return []
    where = ""
    args: tuple = ()
    if run_id is not None:
        where = (f"where q.file_id in (select file_id from {RAW_SCHEMA}.file_manifest "
                 "where run_id = %s)")
        args = (run_id,)
    with conn.cursor() as cur:
        cur.execute("select q.file_id, q.source, q.file_name, q.detected_at, q.reason "
                    f"from marts.mart_file_quarantine q {where} order by q.file_id desc "
                    "limit 50", args)
        return cur.fetchall()


def gather(conn, runs: int = 10) -> dict:
    with conn.cursor() as cur:
        cur.execute(
            f"select run_id, verb, started_at, ended_at, status, "
            f"coalesce((counts->>'files_received')::int, 0), "
            f"coalesce((counts->>'rows_landed')::bigint, 0), message "
            f"from {RAW_SCHEMA}.run_log order by run_id desc limit %s", (runs,))
        recent = cur.fetchall()
        cur.execute(
            f"select distinct on (source) source, original_name, received_at, status, "
            f"rows_landed from {RAW_SCHEMA}.file_manifest where status <> %s "
            f"order by source, received_at desc, file_id desc", (REFUSED,))
        last = cur.fetchall()
        cur.execute(
            f"select file_id, source, original_name, received_at, status, quarantine_reason "
            f"from {RAW_SCHEMA}.file_manifest where status in (%s, %s, %s) "
            f"order by file_id desc limit 50", (QUARANTINED, REFUSED, FAILED))
        quarantined = cur.fetchall()
    quarantined += [(f, s, n, d, "quarantined (layout drift)", r)
                    for f, s, n, d, r in drift_quarantine(conn)]
    from loaders.runs.problems import open_problems

    return {"runs": recent, "last_files": last, "quarantined": quarantined,
            "anomalies": anomaly_counts(conn), "problems": open_problems(conn)}


def render(info: dict, overdue: list[str]) -> None:
    from rich.table import Table

    from loaders.core.ui_console import out_console

    console = out_console()
    t = Table(title="Recent runs")
    for col in ("run", "verb", "started", "ended", "status", "files", "rows", "message"):
        t.add_column(col)
    for run_id, verb, started, ended, status, files, rows, message in info["runs"]:
        t.add_row(str(run_id), verb, f"{started:%Y-%m-%d %H:%M:%S}",
                  f"{ended:%H:%M:%S}" if ended else "", status, str(files), str(rows),
                  (message or "")[:60])
    console.print(t)
    t = Table(title="Last file per source")
    for col in ("source", "file", "received", "status", "rows"):
        t.add_column(col)
    for source, name, received, status, rows in info["last_files"]:
        t.add_row(source, printable(name), f"{received:%Y-%m-%d %H:%M}", status,
                  "" if rows is None else str(rows))
    console.print(t)
    if info["quarantined"]:
        t = Table(title="Quarantined, refused and failed files (failed ones are retried)")
        for col in ("file", "source", "name", "received", "status", "reason"):
            t.add_column(col)
        for file_id, source, name, received, status, reason in info["quarantined"]:
            t.add_row(str(file_id), source, printable(name), f"{received:%Y-%m-%d %H:%M}",
                      status, printable(reason or ""))
        console.print(t)
    else:
        console.print("No quarantined files.")
    if info.get("anomalies"):
        t = Table(title="Results that need a person (marts.mart_result_anomalies)")
        t.add_column("anomaly type")
        t.add_column("results")
        for kind, n in info["anomalies"].items():
            t.add_row(kind, str(n))
        console.print(t)
    if info.get("problems") is not None:
        from loaders.runs.problems import problem_lines

        # Vendor text may hold brackets: printed as it is, never read as markup.
        for line in problem_lines(info["problems"]):
            console.print(line, markup=False)
    for line in overdue:
        console.print(f"[bold red]{line}[/]")
