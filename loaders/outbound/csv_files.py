"""CSV files written from the marts, with spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

from loaders.core.errors import ScorebridgeError
from loaders.core.runlog import note

log = logging.getLogger(__name__)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


class ExportError(ScorebridgeError):
    """An export cannot be written; nothing was written or recorded."""


def neutralise(value) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def write_csv(path: Path, header: list[str], rows, line_ending: str = "\r\n") -> int:
    """Writes to a temporary name and renames, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    n = 0
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator=line_ending)
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
            n += 1
    tmp.replace(path)
    return n


def export_table(ctx, schema: str, table: str, out: Path) -> int:
    if not (_IDENT.match(schema) and _IDENT.match(table)):
        raise ExportError(f"{schema}.{table}: not a plain table name")
    with ctx.conn.cursor() as cur:
        cur.execute("select 1 from information_schema.tables where table_schema = %s "
                    "and table_name = %s", (schema, table))
        if cur.fetchone() is None:
            raise ExportError(f"{schema}.{table} does not exist yet (run python cli.py build)")
        cur.execute(f"select * from {schema}.{table} order by 1")
        header = [d[0] for d in cur.description]
        n = write_csv(out, header, cur)
    note(rows=n, file=str(out))
    return n


def export_marts(ctx, folder: Path) -> list[Path]:
    """A CSV of every mart, tables and views. The outbound views (``outbound_*``,
    one per file an export sends) are left out: each is what its export writes,
    recorded, not a report."""
    with ctx.conn.cursor() as cur:
        cur.execute("select table_name from information_schema.tables "
                    "where table_schema = 'marts' and table_name not like 'outbound\\_%' "
                    "order by table_name")
        tables = [r[0] for r in cur.fetchall()]
    if not tables:
        raise ExportError("the marts schema is empty (run python cli.py build)")
    paths = []
    for table in tables:
        path = folder / f"{table}.csv"
        export_table(ctx, "marts", table, path)
        paths.append(path)
    return paths
