"""``check``: the pre-flight. Reads the configuration, connects to every source
(host key, login, listing of the remote folder), the SMTP server (EHLO,
STARTTLS and login as configured, no mail) and the database, and says what the
next ``fetch`` would take, one line per problem found.

It changes nothing: it downloads, removes, uploads and records nothing, runs
no migration and creates nothing in the database (it reads the manifest when
there is one), takes no lock and writes no log file; an embedded database
that is not running is not started.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from loaders.core.config import Config, SourceConfig, load_config
from loaders.core.context import register_secrets
from loaders.core.db import OPS_SCHEMA, RAW_SCHEMA, DatabaseError, database, migrations, table_exists
from loaders.core.formats import registry
from loaders.custody.pipeline import REFUSE, SKIP, WAIT, already_received, listing_verdict


@dataclass
class CheckReport:
    """What was found, line by line, and the problems among it (one line each)."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.problems.append(text)
        self.lines.append(f"problem: {text}")


def check(config_path: Path | None) -> CheckReport:
    """Runs every check of the module's docstring; a bad configuration is an error."""
    cfg = load_config(config_path, formats=set(registry()))
    register_secrets(cfg)
    report = CheckReport()
    where = cfg.path or "no config file (scorebridge.yml not found)"
    report.lines.append(f"config {where}: {len(cfg.sources)} source(s), "
                        + (f"smtp {cfg.smtp.host}:{cfg.smtp.port}" if cfg.smtp else "no smtp"))
    conn = _check_database(report)
    try:
        if cfg.smtp is not None:
            _check_smtp(cfg, report)
        for src in cfg.sources:
            _check_source(src, conn, report)
    finally:
        if conn is not None:
            conn.close()
    return report


def _check_database(report: CheckReport):
    """An open connection when the database answers and has a manifest, else None."""
    try:
        db = database(start=False)
    except DatabaseError as exc:
        if "not running" in str(exc):
            report.lines.append("database: the embedded PostgreSQL is not running (the next "
                                "command starts it); the manifest was not read")
        else:
            report.problem(f"database: {exc}")
        return None
    try:
        conn = db.connect()
    except DatabaseError as exc:
        report.problem(f"database: {exc}")
        return None
    if not table_exists(conn, RAW_SCHEMA, "file_manifest"):
        report.lines.append(f"database {db.describe()}: connected; no manifest yet (the next "
                            "command creates the tables): every file is new")
        conn.close()
        return None
    with conn.cursor() as cur:
        cur.execute(f"select count(*) from {RAW_SCHEMA}.file_manifest")
        files = cur.fetchone()[0]
        applied = set()
        if table_exists(conn, OPS_SCHEMA, "schema_migrations"):
            cur.execute(f"select room, version from {OPS_SCHEMA}.schema_migrations")
            applied = set(cur.fetchall())
    pending = [m for m in migrations() if (m.room, m.version) not in applied]
    line = f"database {db.describe()}: connected; the manifest holds {files} file(s)"
    if pending:
        line += f"; {len(pending)} migration(s) to apply (the next command applies them)"
    report.lines.append(line)
    return conn


def _check_smtp(cfg: Config, report: CheckReport) -> None:
    from loaders.runs.alerts import check_smtp

    problem = check_smtp(cfg.smtp)
    if problem is not None:
        report.problem(problem)
        return
    login = f", logged in as {cfg.smtp.user}" if cfg.smtp.user and cfg.smtp.password else ""
    report.lines.append(f"smtp {cfg.smtp.host}:{cfg.smtp.port}: connected{login}; no mail sent")


def _describe(src: SourceConfig) -> str:
    if src.transport == "local":
        return f"local folder {src.remote_folder}"
    if src.transport == "https":
        return f"https, {len(src.urls)} address(es)"
    default = {"sftp": 22, "ftp": 21, "ftps": 21}[src.transport]
    return f"{src.transport} {src.host}:{src.port or default}, folder {src.remote_folder}"


def _check_source(src: SourceConfig, conn, report: CheckReport) -> None:
    from loaders.custody.transports import TransportError, open_transport

    try:
        with open_transport(src) as transport:
            listing = transport.list_files()
    except TransportError as exc:
        report.problem(f"{src.name}: {exc}")
        return
    how = {"sftp": "host key known, logged in", "ftp": "logged in", "ftps": "logged in",
           "local": "readable", "https": "answered"}[src.transport]
    report.lines.append(f"source {src.name} ({_describe(src)}): {how}; {len(listing)} file(s) "
                        "listed")
    other = 0
    for entry in listing:
        verdict, reason = listing_verdict(src, entry.name)
        size = f"{entry.size} bytes" if entry.size >= 0 else "size unknown"
        if verdict == SKIP:
            other += 1
        elif verdict == REFUSE:
            report.lines.append(f"  would refuse {entry.name!r}: {reason}")
        elif verdict == WAIT:
            report.lines.append(f"  would wait for {entry.name} ({size}): still being written")
        else:
            report.lines.append("  " + _plan(src, conn, entry.name, entry.size, size))
    if other:
        report.lines.append(f"  {other} other file(s) do not match the pattern {src.pattern!r}")


def _plan(src: SourceConfig, conn, name: str, size: int, shown: str) -> str:
    """What the next fetch does with a file it takes from the listing."""
    file_id = already_received(conn, src.name, name, size) if conn is not None else None
    if file_id is None:
        return f"would take {name} ({shown}): new"
    if not src.delete_after:
        return (f"would skip {name} ({shown}): already received as file {file_id} (kept on "
                "the server, delete_after: false)")
    return (f"would take {name} ({shown}): one of this name and size was received as file "
            f"{file_id}; if its bytes are the same it is recorded as a duplicate, not landed")
