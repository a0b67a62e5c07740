"""The database: embedded PostgreSQL (pgserver) by default, any server by URL.

With no ``SCOREBRIDGE_DATABASE_URL`` the project starts a PostgreSQL kept in
``.scorebridge/pgdata`` under the project folder and leaves it running for the
next command (``python cli.py db stop`` stops it). Python (psycopg2), dlt and
dbt all receive the same connection parameters from :func:`database`.
"""

from __future__ import annotations

import hashlib
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from loaders.core.errors import ScorebridgeError
from loaders.core.names import column_names
from loaders.core.paths import PROJECT_ROOT, STATE_DIR

log = logging.getLogger(__name__)

ENV_URL = "SCOREBRIDGE_DATABASE_URL"
PGDATA = STATE_DIR / "pgdata"
RAW_SCHEMA = "raw"
# Advisory lock key for "a run is processing files" (any verb that takes files).
RUN_LOCK_KEY = 0x5C0_2EB2


class DatabaseError(ScorebridgeError):
    """The database cannot be reached or prepared; one clear line."""


@dataclass
class Database:
    """Connection parameters. The password is kept out of ``repr``."""

    host: str
    port: int
    user: str
    dbname: str
    password: str = field(default="", repr=False)
    options: dict[str, str] = field(default_factory=dict)
    embedded: bool = False

    def connect(self):
        import psycopg2

        params = dict(host=self.host, port=self.port, user=self.user, dbname=self.dbname,
                      password=self.password or None, **self.options)
        try:
            conn = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
        except psycopg2.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "connection failed"
            raise DatabaseError(f"cannot connect to PostgreSQL at {self.describe()}: {first}") from None
        conn.autocommit = True
        return conn

    def describe(self) -> str:
        """Where the database is, without the password."""
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"

    def url(self, hide_password: bool = True) -> str:
        password = "***" if (hide_password and self.password) else quote(self.password, safe="")
        auth = quote(self.user, safe="") + (f":{password}" if self.password else "")
        if self.host.startswith("/"):
            return f"postgresql://{auth}@/{self.dbname}?host={self.host}&port={self.port}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.dbname}"

    def dlt_credentials(self) -> str:
        """A URL dlt accepts; a unix socket folder goes in the query string."""
        password = quote(self.password or "unused", safe="")
        query = "&".join(f"{k}={quote(str(v), safe='/')}" for k, v in self.options.items())
        if self.host.startswith("/"):
            query = f"host={self.host}" + (f"&{query}" if query else "")
            host = "localhost"
        else:
            host = self.host
        url = f"postgresql://{quote(self.user, safe='')}:{password}@{host}:{self.port}/{self.dbname}"
        return url + (f"?{query}" if query else "")

    def dbt_env(self) -> dict[str, str]:
        """Environment for dbt's profiles.yml (which reads these variables)."""
        return {
            "SCOREBRIDGE_PG_HOST": self.host,
            "SCOREBRIDGE_PG_PORT": str(self.port),
            "SCOREBRIDGE_PG_USER": self.user,
            "SCOREBRIDGE_PG_PASSWORD": self.password,
            "SCOREBRIDGE_PG_DBNAME": self.dbname,
            "SCOREBRIDGE_PG_SSLMODE": self.options.get("sslmode", "prefer"),
        }


def _from_url(url: str) -> Database:
    from psycopg2.extensions import parse_dsn

    try:
        params = parse_dsn(url)
    except Exception:
        raise DatabaseError(f"{ENV_URL} is not a valid PostgreSQL URL") from None
    host = params.pop("host", None) or "/var/run/postgresql"
    return Database(
        host=host,
        port=int(params.pop("port", 5432)),
        user=params.pop("user", None) or os.environ.get("USER", "postgres"),
        dbname=params.pop("dbname", None) or "postgres",
        password=params.pop("password", ""),
        options=params,
    )


def _embedded_server(start: bool):
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    if not start and not (PGDATA / "postmaster.pid").exists():
        return None
    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, like a service.
    return pgserver.get_server(PGDATA, cleanup_mode=None)


def database(start: bool = True) -> Database:
    """The configured database, starting the embedded one when needed."""
    url = os.environ.get(ENV_URL)
    if url:
        return _from_url(url)
    try:
        server = _embedded_server(start)
    except Exception as exc:  # pgserver raises several kinds
        raise DatabaseError(f"cannot start the embedded PostgreSQL in {PGDATA}: {exc}") from None
    if server is None:
        raise DatabaseError("the embedded PostgreSQL is not running (python cli.py db start)")
    db = _from_url(server.get_uri())
    db.embedded = True
    return db


def stop_embedded() -> bool:
    """Stops the embedded server; False when it was not running."""
    import subprocess

    from pgserver._commands import POSTGRES_BIN_PATH

    if not (PGDATA / "postmaster.pid").exists():
        return False
    cmd = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(PGDATA), "-m", "fast", "-w", "stop"]
    if os.geteuid() == 0:
        # pgserver runs the server as the unprivileged 'pgserver' user when root.
        cmd = ["su", "pgserver", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise DatabaseError(f"pg_ctl stop failed: {result.stderr.strip() or result.stdout.strip()}")
    return True


SCHEMA_SQL = f"""
create schema if not exists {RAW_SCHEMA};

create table if not exists {RAW_SCHEMA}.run_log (
    run_id bigserial primary key,
    verb text not null,
    started_at timestamptz not null default now(),
    ended_at timestamptz,
    status text not null default 'running',
    counts jsonb not null default '{{}}'::jsonb,
    message text,
    pid integer
);

create table if not exists {RAW_SCHEMA}.file_manifest (
    file_id bigserial primary key,
    run_id bigint references {RAW_SCHEMA}.run_log (run_id),
    source text not null,
    format text not null,
    original_name text not null,
    remote_folder text,
    archive_path text,
    sha256 text,
    size_bytes bigint,
    received_at timestamptz not null default now(),
    status text not null,
    duplicate_of bigint references {RAW_SCHEMA}.file_manifest (file_id),
    decrypted_path text,
    decrypted_sha256 text,
    encoding text,
    has_bom boolean,
    line_ending text,
    rows_landed bigint,
    load_id text,
    land_started_at timestamptz,
    landed_at timestamptz,
    quarantine_reason text,
    backed_up_at timestamptz,
    removed_at timestamptz
);

-- Added after the first release: databases made before it get the column.
alter table {RAW_SCHEMA}.file_manifest add column if not exists land_started_at timestamptz;

-- One original per content: the same bytes again are a duplicate row.
create unique index if not exists file_manifest_one_original
    on {RAW_SCHEMA}.file_manifest (sha256)
    where duplicate_of is null and status in ('archived', 'landed', 'quarantined');

create index if not exists file_manifest_source_received
    on {RAW_SCHEMA}.file_manifest (source, received_at);

create table if not exists {RAW_SCHEMA}.file_columns (
    file_id bigint not null references {RAW_SCHEMA}.file_manifest (file_id),
    ordinal integer not null,
    header_name text not null,
    column_name text not null,
    primary key (file_id, ordinal)
);
"""

LOADER_COLUMNS_SQL = """
    _file_id bigint not null,
    _line_number bigint not null,
    _load_id text not null,
    _loaded_at timestamp with time zone not null,
    _raw_record text,
    _parse_error text
"""


def ensure_schema(conn, formats) -> None:
    """Creates the raw schema, the custody tables and one raw table per format.

    The format tables are created up front with the loader columns (and
    ``record`` for fixed-width formats) so dbt sources always exist; dlt adds
    the columns of each CSV header as files arrive. The raw schema's comment
    holds a fingerprint of all of it; when that matches, nothing is run (the
    DDL took half a second of every command).
    """
    formats = list(formats)
    # Tables that the rooms write (transmissions, export records): each room
    # keeps its DDL in <room>/sql/, run in path order.
    ddls = [ddl.read_text(encoding="utf-8")
            for ddl in sorted((PROJECT_ROOT / "loaders").glob("*/sql/*.sql"))]
    layouts = layout_headers()
    fingerprint = "scorebridge schema " + hashlib.sha256(repr(
        (SCHEMA_SQL, LOADER_COLUMNS_SQL, ddls, sorted(layouts.items()),
         [(f.name, f.raw_table, f.kind) for f in formats])).encode()).hexdigest()[:16]
    with conn.cursor() as cur:
        cur.execute("select obj_description(oid, 'pg_namespace') from pg_namespace "
                    "where nspname = %s", (RAW_SCHEMA,))
        found = cur.fetchone()
    if found and found[0] == fingerprint:
        return
    with transaction(conn) as cur:
        # Two processes creating the schema at once would collide on the catalog.
        cur.execute("select pg_advisory_xact_lock(%s)", (RUN_LOCK_KEY + 1,))
        cur.execute(SCHEMA_SQL)
        for ddl in ddls:
            cur.execute(ddl)
        cur.execute("select table_name, column_name from information_schema.columns "
                    "where table_schema = %s", (RAW_SCHEMA,))
        existing = set(cur.fetchall())
        for fmt in formats:
            extra = ",\n    record text" if fmt.kind == "fixed" else ""
            cur.execute(
                f"create table if not exists {RAW_SCHEMA}.{fmt.raw_table} "
                f"({LOADER_COLUMNS_SQL}{extra});\n"
                # Rows arrive in file order, so a BRIN index finds a file's
                # rows (re-landing deletes them) at almost no cost to COPY; a
                # btree on (file, line) made landing a 1M-line file 1 s slower.
                f"drop index if exists {RAW_SCHEMA}.{fmt.raw_table}_file_line;\n"
                f"create index if not exists {fmt.raw_table}_file "
                f"on {RAW_SCHEMA}.{fmt.raw_table} using brin (_file_id);"
            )
            if fmt.kind == "csv":
                # The layout's columns exist before any file lands, so staging
                # models compile on an empty database; files add any others.
                for header in layouts.get(fmt.name, []):
                    for column in column_names(header):
                        if (fmt.raw_table, column) in existing:
                            continue
                        existing.add((fmt.raw_table, column))
                        cur.execute(f"alter table {RAW_SCHEMA}.{fmt.raw_table} "
                                    f"add column if not exists {column} text")
        cur.execute(f"comment on schema {RAW_SCHEMA} is %s", (fingerprint,))


@contextmanager
def run_lock(conn, wait: bool):
    """Holds the advisory lock for the duration of a run."""
    with conn.cursor() as cur:
        if wait:
            cur.execute("select pg_advisory_lock(%s)", (RUN_LOCK_KEY,))
        else:
            cur.execute("select pg_try_advisory_lock(%s)", (RUN_LOCK_KEY,))
            if not cur.fetchone()[0]:
                cur.execute(
                    f"select run_id, verb, started_at, pid from {RAW_SCHEMA}.run_log "
                    "where status = 'running' order by run_id desc limit 1"
                )
                row = cur.fetchone()
                who = (f"run {row[0]} ({row[1]}, pid {row[3]}, started {row[2]:%Y-%m-%d %H:%M})"
                       if row else "another run")
                raise LockBusy(f"{who} is processing files; try again later or use --wait")
    try:
        yield
    finally:
        with conn.cursor() as cur:
            cur.execute("select pg_advisory_unlock(%s)", (RUN_LOCK_KEY,))


def layout_headers() -> dict[str, list[list[str]]]:
    """Header names per format and layout version, from the layout seed."""
    import csv

    path = PROJECT_ROOT / "seeds" / "layouts" / "layout_columns.csv"
    if not path.exists():
        return {}
    versions: dict[tuple[str, str], list[tuple[int, str]]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["format_name"], row["layout_version"])
            versions.setdefault(key, []).append((int(row["ordinal"]), row["column_name"]))
    out: dict[str, list[list[str]]] = {}
    for (fmt, _), cols in sorted(versions.items()):
        out.setdefault(fmt, []).append([name for _, name in sorted(cols)])
    return out


@contextmanager
def transaction(conn):
    """One explicit transaction on an autocommit connection."""
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            yield cur
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.autocommit = True


def table_exists(conn, schema: str, table: str) -> bool:
    with conn.cursor() as cur:
        cur.execute("select 1 from information_schema.tables where table_schema = %s "
                    "and table_name = %s", (schema, table))
        return cur.fetchone() is not None


class LockBusy(ScorebridgeError):
    """Another run holds the run lock."""


def project_path(*parts: str) -> Path:
    return PROJECT_ROOT.joinpath(*parts)
