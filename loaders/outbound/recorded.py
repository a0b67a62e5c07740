"""One recorded export, used by every file a domain sends out.

:func:`recorded_export` takes the export lock and, in one transaction,
selects the rows (``select * from`` the file's outbound model, a view in
``marts`` declared as a dbt exposure, through :func:`outbound_rows`),
takes the record's id, writes the file or files with formulas neutralised,
hashes the first, records it and the rows it holds, and uploads it when asked.
Any failure removes the files written and rolls the record back, so a failed
upload leaves neither behind, and a second export right after the first sends
nothing twice. The domains keep only what is theirs: the selection, the file
names and headers, the record's table in ``ops`` and a confirmation before
the lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from loaders.core.db import RUN_LOCK_KEY, table_exists, transaction
from loaders.core.hashing import file_sha256
from loaders.core.runlog import note
from loaders.outbound.csv_files import ExportError, write_csv

# Serialises the exports that record what they sent (not the run lock: an
# export may run while a fetch is landing files).
EXPORT_LOCK_KEY = RUN_LOCK_KEY + 16


@dataclass
class Written:
    """One export: the file (None when there was nothing to write) and its record."""

    path: Path | None
    rows: int
    sha256: str | None = None
    record_id: int | None = None
    uploaded_to: str | None = None
    files: tuple[Path, ...] = ()  # every file written, ``path`` first


@dataclass(frozen=True)
class OutFile:
    """One file of an export: its header, its name and the record column keeping the name.

    ``name`` gets the record's id and the export's time. The first file goes
    to ``out`` (a folder, or the file itself when it ends in .csv); any others
    go beside it with the same rows.
    """

    header: list[str]
    name: Callable[[int, datetime], str]
    column: str = "file_name"


@dataclass(frozen=True)
class Record:
    """Where an export is recorded: tables in ``ops`` (the domain's migrations/).

    One row in ``table`` per export, keyed by the serial ``id_column``, with
    each file's name, the first file's sha256, the row count in
    ``count_column`` and the time in ``time_column``; one row in
    ``items_table`` per row sent: the id, then ``item_columns``.
    """

    table: str
    id_column: str
    count_column: str
    time_column: str
    items_table: str
    item_columns: tuple[str, ...]


def require_mart(conn, table: str) -> None:
    if not table_exists(conn, "marts", table):
        raise ExportError(f"marts.{table} does not exist yet (run python cli.py build)")


def outbound_rows(conn, model: str, *, where: str = "true", args: tuple | dict = (),
                  order_by: str) -> list[dict]:
    """``select * from marts.<model>``: the rows of one outbound model, as dicts.

    The model decides which rows may leave and computes every column; ``where``
    is only a parameter filter on those columns (a CLI option such as
    ``--days``), ``order_by`` the order of the file's lines.
    """
    require_mart(conn, model)
    with conn.cursor() as cur:
        cur.execute(f"select * from marts.{model} where {where} order by {order_by}", args)
        names = [d.name for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def iso_day(value) -> str | None:
    """A date cell as YYYY-MM-DD, whatever type the mart gives it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def upload_source(ctx, name: str | None):
    """The configured source an export is uploaded to (``--upload NAME``), or None."""
    if name is None:
        return None
    source = ctx.cfg.source(name)
    if source.transport == "https":
        raise ExportError(f"--upload {name}: an https source cannot receive files")
    return source


def recorded_export(conn, record: Record, files: Sequence[OutFile], *,
                    select: Callable[[], list[dict]],
                    lines: Callable[[list[dict]], Iterable[list]],
                    items: Callable[[dict], tuple],
                    out: Path, values: dict | None = None,
                    source=None, remote_folder: str | None = None) -> Written:
    """Selects, writes, hashes, records and uploads one export; see the module's docstring.

    ``select`` runs under the lock (a domain that asked for a confirmation
    first checks there that the selection did not change); ``lines`` turns
    its rows into the files' rows, ``items`` a row into its item columns;
    ``values`` are the record's other columns. With ``source`` the first file
    is uploaded to ``remote_folder`` (default: the source's) and the record
    notes where.
    """
    now = datetime.now(UTC)
    uploaded_to = None
    with transaction(conn) as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", (EXPORT_LOCK_KEY,))
        rows = select()
        if not rows:
            note(rows=0)
            return Written(None, 0)
        record_id = _next_id(cur, record.table, record.id_column)
        first = _target(out, files[0].name(record_id, now))
        paths = [first] + [first.with_name(f.name(record_id, now)) for f in files[1:]]
        body = list(lines(rows))
        try:
            n = write_csv(first, files[0].header, body)
            for file, path in zip(files[1:], paths[1:], strict=True):
                write_csv(path, file.header, body)
            sha = file_sha256(first)
            columns = {record.id_column: record_id,
                       **{file.column: path.name for file, path in zip(files, paths, strict=True)},
                       "sha256": sha, record.count_column: n, **(values or {}),
                       record.time_column: now}
            cur.execute(f"insert into {record.table} ({', '.join(columns)}) "
                        f"values ({', '.join(['%s'] * len(columns))})", tuple(columns.values()))
            item_columns = (record.id_column, *record.item_columns)
            # One statement per 10,000 items, not one per item (a sync file
            # holds hundreds of thousands).
            from psycopg2.extras import execute_values

            execute_values(cur, f"insert into {record.items_table} ({', '.join(item_columns)}) "
                                "values %s", [(record_id, *items(r)) for r in rows],
                           page_size=10_000)
            if source is not None:
                folder = remote_folder or source.remote_folder
                _upload(source, first, folder)
                uploaded_to = f"{source.name}:{folder}"
                cur.execute(f"update {record.table} set uploaded_to = %s, uploaded_at = now() "
                            f"where {record.id_column} = %s", (uploaded_to, record_id))
        except BaseException:
            for path in paths:
                path.unlink(missing_ok=True)
            raise
    note(rows=n, file=first.name, record_id=record_id, uploaded_to=uploaded_to)
    return Written(first, n, sha, record_id, uploaded_to, tuple(paths))


def _target(out: Path, default_name: str) -> Path:
    """``--out`` is a folder (the usual case) or, ending in .csv, the file itself."""
    return out if out.suffix.lower() == ".csv" else out / default_name


def _next_id(cur, table: str, column: str) -> int:
    cur.execute("select nextval(pg_get_serial_sequence(%s, %s))", (table, column))
    return cur.fetchone()[0]


def _upload(source, path: Path, remote_folder: str) -> None:
    from loaders.custody.transports import TransportError, open_transport

    try:
        with open_transport(source) as transport:
            transport.upload(path, remote_folder, path.name)
    except TransportError as exc:
        raise ExportError(f"upload to {source.name} failed, nothing recorded: {exc}") from None
