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
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from loaders.core.errors import ScorebridgeError
from loaders.core.formats import layout_headers
from loaders.core.names import column_names
from loaders.core.paths import PROJECT_ROOT, STATE_DIR

log = logging.getLogger(__name__)

ENV_URL = "SCOREBRIDGE_DATABASE_URL"
PGDATA = STATE_DIR / "pgdata"
RAW_SCHEMA = "raw"
# What the Python side did or a person decided; dbt reads it as sources.
OPS_SCHEMA = "ops"
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


# Beside pgdata while a new one is made and first started: until the first
# start returns, no command has had the database, so a pgdata found with this
# marker holds nothing but what initdb wrote and is made again.
INITIALISING = STATE_DIR / "pgdata.initialising"
# What initdb puts in a data folder. A folder with only these, no pg_control
# (initdb's bootstrap never finished) and no postmaster.opts (no server ever
# ran there) cannot hold data, whoever made it.
_INITDB_ENTRIES = frozenset({"PG_VERSION", "base", "global", "postgresql.conf",
                             "postgresql.auto.conf", "pg_hba.conf", "pg_ident.conf", "log"})


def _embedded_server(start: bool):
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    with _pgdata_lock():
        _repair_pgdata()
        if not start and not (PGDATA / "postmaster.pid").exists():
            return None
        new = not (PGDATA / "PG_VERSION").exists()
        if new:
            if PGDATA.exists() and any(PGDATA.iterdir()):
                raise DatabaseError(
                    f"{PGDATA} holds files but is not a PostgreSQL data folder (no PG_VERSION); "
                    "it is left as it is: move it away, then run the command again")
            INITIALISING.write_text("initdb and first start under way\n")
        # cleanup_mode=None: the server outlives this process, like a service.
        server = pgserver.get_server(PGDATA, cleanup_mode=None)
        INITIALISING.unlink(missing_ok=True)
        return server


@contextmanager
def _pgdata_lock():
    """One command at a time judges, starts or stops the data folder (pgserver's
    own lock is taken only inside get_server, after the judging). fasteners and
    psutil come with pgserver, which depends on them."""
    import fasteners

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    with fasteners.InterProcessLock(str(STATE_DIR / "pgdata.lock")):
        yield


def _server_processes(pgdata: Path) -> tuple[list, list]:
    """The postgres processes of ``pgdata``: its postmasters (which name the
    folder on their command line) and other processes working in it (children
    of a postmaster, which outlive a killed one for a moment)."""
    import psutil

    postmasters, others = [], []
    names = _spellings(pgdata)
    for proc in psutil.process_iter(["name", "cmdline", "cwd"]):
        try:
            if proc.info["name"] != "postgres":
                continue
            if names & set(proc.info["cmdline"] or ()):
                postmasters.append(proc)
            elif proc.info["cwd"] in names:
                others.append(proc)
        except psutil.Error:
            continue
    return postmasters, others


def _spellings(pgdata: Path) -> set[str]:
    """The ways a process may name the folder: as configured (pg_ctl passes
    that on), absolute, and with links resolved (a working folder)."""
    return {str(pgdata), str(pgdata.absolute()), str(pgdata.resolve())}


def _pid_file_is_live(pid_file: Path) -> bool:
    """The quick answer for the usual case: a whole postmaster.pid whose
    process is a postgres serving this folder."""
    import psutil

    try:
        lines = pid_file.read_text().splitlines()
        if len(lines) < 8:
            return False
        proc = psutil.Process(int(lines[0]))
        return proc.name() == "postgres" and bool(_spellings(PGDATA) & set(proc.cmdline()))
    except (OSError, ValueError, psutil.Error):
        return False


def _repair_pgdata() -> None:
    """Makes a data folder left by a killed or crashed command startable again,
    never deleting one that may hold data.

    - A ``postmaster.pid`` with no server of this folder running (the process
      is gone, or its number now belongs to another program, or the file is
      half written because the first start was killed) is removed; pgserver
      would otherwise take the server for running, or fail to read the file.
    - A folder whose first start was interrupted (:data:`INITIALISING` beside
      it) or whose initdb never finished bootstrap (only initdb's files, no
      ``global/pg_control``, no server ever started) is deleted and made again.

    Anything else is left for PostgreSQL, which says what is wrong.
    """
    import shutil
    import time

    if not PGDATA.exists():
        INITIALISING.unlink(missing_ok=True)
        return
    pid_file = PGDATA / "postmaster.pid"
    postmasters, others = ([True], []) if _pid_file_is_live(pid_file) \
        else _server_processes(PGDATA)
    deadline = time.monotonic() + 10
    while others and not postmasters and time.monotonic() < deadline:
        time.sleep(0.2)  # the children of a killed postmaster exit on their own
        postmasters, others = _server_processes(PGDATA)
    if postmasters:
        # A server runs here, so its initdb finished: the folder is whole even
        # when the command that first started it was killed before saying so.
        INITIALISING.unlink(missing_ok=True)
        return
    if others:
        return  # still working in the folder: never touch it
    if pid_file.exists():
        log.warning("%s: no server of this folder runs; removing the stale postmaster.pid "
                    "a killed or crashed server left", PGDATA)
        pid_file.unlink()
    entries = {p.name for p in PGDATA.iterdir()}
    half_made = (bool(entries) and not (PGDATA / "global" / "pg_control").exists()
                 and "postmaster.opts" not in entries
                 and all(e in _INITDB_ENTRIES or e.startswith("pg_") for e in entries))
    if INITIALISING.exists() or half_made:
        log.warning("%s: its initdb or first start was interrupted, so it holds no data; "
                    "making it again", PGDATA)
        shutil.rmtree(PGDATA)
        INITIALISING.unlink(missing_ok=True)


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


# dbt commands that read the project but never connect to the database.
OFFLINE_DBT_COMMANDS = frozenset({"parse", "ls", "list", "clean", "deps", "--help", "-h",
                                  "--version"})


def database_for_dbt(args: list[str]) -> Database:
    """The database for a dbt command; for one that never connects (``dbt parse``),
    the settings of the embedded server without starting it, so that `make lint`
    leaves no PostgreSQL running."""
    if os.environ.get(ENV_URL) or not args or args[0] not in OFFLINE_DBT_COMMANDS:
        return database()
    return Database(host=str(PGDATA), port=5432, user="postgres", dbname="postgres",
                    embedded=True)


def stop_embedded() -> bool:
    """Stops the embedded server; False when it was not running."""
    import subprocess

    from pgserver._commands import POSTGRES_BIN_PATH

    with _pgdata_lock():
        _repair_pgdata()  # a stale postmaster.pid is no server to stop
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


LOADER_COLUMNS_SQL = """
    _file_id bigint not null,
    _line_number bigint not null,
    _load_id text not null,
    _loaded_at timestamp with time zone not null,
    _raw_record text,
    _parse_error text
"""


@dataclass(frozen=True)
class Migration:
    """One numbered DDL file: ``loaders/<room>/migrations/<version>_<name>.sql``."""

    room: str
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def __str__(self) -> str:
        return f"{self.room}/migrations/{self.path.name}"


_MIGRATION_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")

# The bookkeeping table, made before any migration runs so it can be read.
MIGRATIONS_SQL = f"""
create schema if not exists {OPS_SCHEMA};
create table if not exists {OPS_SCHEMA}.schema_migrations (
    room text not null,
    version integer not null,
    name text not null,
    sha256 text not null,
    applied_at timestamptz not null default now(),
    primary key (room, version)
);
"""


def migrations(root: Path | None = None) -> list[Migration]:
    """Every room's migrations in the order they run: core first, then the
    rooms by name, each room's files by number."""
    root = root or PROJECT_ROOT / "loaders"
    found: dict[tuple[str, int], Migration] = {}
    for path in root.glob("*/migrations/*.sql"):
        room = path.parent.parent.name
        match = _MIGRATION_NAME.fullmatch(path.name)
        if not match:
            raise DatabaseError(f"{room}/migrations/{path.name}: a migration is named "
                                "NNNN_name.sql (four digits, lower case)")
        key = (room, int(match[1]))
        if key in found:
            raise DatabaseError(f"{room}/migrations: two migrations numbered {match[1]} "
                                f"({found[key].path.name}, {path.name})")
        found[key] = Migration(room, int(match[1]), match[2], path)
    return sorted(found.values(), key=lambda m: (m.room != "core", m.room, m.version))


def migrate(cur, pending: list[Migration] | None = None) -> list[Migration]:
    """Runs, in order, every migration this database has not recorded; returns them.

    Each is recorded in ``ops.schema_migrations`` with its SHA-256. A recorded
    migration whose file changed since is refused: add a new number instead.
    Every file is idempotent too, so a database whose records were lost (or
    one made before the records existed) is brought up to date unharmed.
    """
    cur.execute(MIGRATIONS_SQL)
    cur.execute(f"select room, version, sha256 from {OPS_SCHEMA}.schema_migrations")
    applied = {(room, version): sha for room, version, sha in cur.fetchall()}
    ran = []
    for m in pending if pending is not None else migrations():
        sha = applied.get((m.room, m.version))
        if sha is not None:
            if sha != m.sha256:
                raise DatabaseError(f"{m} changed after this database applied it; "
                                    "put the change in a new numbered migration")
            continue
        log.debug("migration %s", m)
        cur.execute(m.sql)
        cur.execute(f"insert into {OPS_SCHEMA}.schema_migrations (room, version, name, sha256) "
                    "values (%s, %s, %s, %s)", (m.room, m.version, m.name, m.sha256))
        ran.append(m)
    return ran


def ensure_schema(conn, formats) -> None:
    """Runs the migrations, then creates one raw table per format.

    The migrations (``loaders/<room>/migrations/``) make the raw custody
    tables and the ops records. The format tables come from the format
    registry and the layout seed instead (formats are data): each is created
    up front with the loader columns (and ``record`` for fixed-width formats)
    so dbt sources always exist; dlt adds the columns of each CSV header as
    files arrive. The ops schema's comment holds a fingerprint of all of it;
    when that matches, nothing is run (the DDL took half a second of every
    command).
    """
    formats = list(formats)
    pending = migrations()
    layouts = layout_headers()
    fingerprint = "scorebridge schema " + hashlib.sha256(repr(
        ([(str(m), m.sha256) for m in pending], LOADER_COLUMNS_SQL, sorted(layouts.items()),
         [(f.name, f.raw_table, f.kind) for f in formats])).encode()).hexdigest()[:16]
    with conn.cursor() as cur:
        cur.execute("select obj_description(oid, 'pg_namespace') from pg_namespace "
                    "where nspname = %s", (OPS_SCHEMA,))
        found = cur.fetchone()
    if found and found[0] == fingerprint:
        return
    with transaction(conn) as cur:
        # Two processes creating the schema at once would collide on the catalog.
        cur.execute("select pg_advisory_xact_lock(%s)", (RUN_LOCK_KEY + 1,))
        migrate(cur, pending)
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
        cur.execute(f"comment on schema {OPS_SCHEMA} is %s", (fingerprint,))


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
