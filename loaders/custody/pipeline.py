"""Custody of vendor files: download, verify, archive, record, land, back up,
and only then remove from the server.

The order is the promise. A remote file is removed only after its bytes are
fsynced in the archive, its SHA-256 is in ``raw.file_manifest`` and its rows
are committed. Every step is recorded in the manifest row, so a rerun after a
crash at any point finishes the same delivery instead of starting a new one:
each file ends archived once, landed once and gone from the server.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from loaders.core.config import Config, SourceConfig
from loaders.core.crash import crash_point
from loaders.core.db import RAW_SCHEMA, Database, DatabaseError, transaction
from loaders.core.errors import ScorebridgeError
from loaders.core.formats import Format, get_format
from loaders.core.hashing import file_sha256
from loaders.core.names import printable, safe_file_name
from loaders.core.statuses import (
    ARCHIVED,
    DUPLICATE,
    EMPTY,
    FAILED,
    LANDED,
    ORIGINAL_STATUSES,
    PENDING_STATUSES,
    QUARANTINED,
    REFUSED,
)
from loaders.core.ui import scrub
from loaders.landing.landing import (
    FileText,
    TextSniffer,
    Unlandable,
    land_file,
    remove_stale_work,
)

log = logging.getLogger(__name__)

IN_PROGRESS_SUFFIXES = (".part", ".filepart", ".tmp")
# What a fetch does with a name in a remote folder's listing (listing_verdict).
TAKE, SKIP, REFUSE, WAIT = "take", "skip", "refuse", "wait"


def listing_verdict(src: SourceConfig, name: str) -> tuple[str, str | None]:
    """What a fetch does with one listed name, before it looks at the manifest:
    SKIP (not the source's pattern), REFUSE with the reason (a name that could
    escape the archive), WAIT (still being written, by its name) or TAKE."""
    from loaders.custody.transports import UnsafeNameError, check_remote_name

    if not fnmatch.fnmatch(name, src.pattern):
        return SKIP, None
    try:
        check_remote_name(name)
    except UnsafeNameError as exc:
        return REFUSE, str(exc)
    if name.lower().endswith(IN_PROGRESS_SUFFIXES):
        return WAIT, None
    return TAKE, None


def already_received(conn, source: str, name: str, size: int) -> int | None:
    """The manifest's file id of a file of this source, name and size, if any
    (a source that keeps its files on the server is not fetched from twice)."""
    with conn.cursor() as cur:
        cur.execute(f"select min(file_id) from {RAW_SCHEMA}.file_manifest where source = %s "
                    "and original_name = %s and size_bytes = %s", (source, name, size))
        return cur.fetchone()[0]
@dataclass
class SourceSummary:
    source: str
    received: int = 0
    landed_files: int = 0
    rows_landed: int = 0
    duplicates: int = 0
    empty: int = 0
    quarantined: int = 0
    refused: int = 0
    waiting: int = 0
    removed: int = 0
    failed: int = 0  # files an unexpected error stopped (each also in errors)
    errors: list[str] = field(default_factory=list)
    quarantine_reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class Row:
    """The manifest columns custody needs to resume a delivery."""

    file_id: int
    status: str
    archive_path: str | None
    original_name: str
    backed_up_at: datetime | None
    removed_at: datetime | None
    duplicate_of: int | None


_ROW_COLUMNS = "file_id, status, archive_path, original_name, backed_up_at, removed_at, duplicate_of"


class _HashingWriter:
    """Writes received bytes while hashing them and learning how they are text.

    The hash and the text sniffing run in a thread of their own, fed the same
    (immutable) chunks, so they overlap the writing instead of adding to it.
    """

    def __init__(self, f):
        self.f = f
        self.sha = hashlib.sha256()
        self.size = 0
        self.text = TextSniffer()
        self._chunks: queue.Queue = queue.Queue(maxsize=16)
        self._digester = threading.Thread(target=self._digest, name="sha256", daemon=True)
        self._digester.start()

    def _digest(self) -> None:
        while (data := self._chunks.get()) is not None:
            self.sha.update(data)
            self.text.feed(data)

    def write(self, data: bytes) -> int:
        self._chunks.put(bytes(data))
        self.size += len(data)
        return self.f.write(data)

    def close(self) -> None:
        """Waits until every chunk written has been hashed."""
        self._chunks.put(None)
        self._digester.join()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Custody:
    """One run's custody work against one database connection."""

    def __init__(self, cfg: Config, db: Database, conn, run_id: int,
                 progress: Callable[..., object] | None = None) -> None:
        self.cfg = cfg
        self.db = db
        self.conn = conn
        self.run_id = run_id
        self.progress = progress  # a loaders.core.ui.Progress-like object or None
        self.incoming = cfg.archive / ".incoming"
        # What archiving learnt of each file's text, by path, for landing.
        self._sniffed: dict[Path, TextSniffer] = {}
        # Files this run tried to land: a failed one is tried once a run (it is
        # resumed from the archive, then found again on the server).
        self._attempted: set[int] = set()

    def clean_incoming(self) -> None:
        """Removes what an interrupted run left (we hold the run lock): partial
        downloads, the empty stand-in of an empty file's backup copy, and dlt's
        part files (copies of people's rows) of a landing that was killed."""
        if self.incoming.exists():
            for stale in [*self.incoming.glob("*.part"), *self.incoming.glob("empty-*")]:
                log.info("removing %s left by an interrupted run", stale.name)
                stale.unlink()
        remove_stale_work()

    def _fail(self, row: Row | None, name: str, exc: Exception,
              summary: SourceSummary) -> None:
        """An unexpected error stopped one file: it is marked failed with the
        reason (retried by the next run) and the command goes on with the
        others. A lost database connection stops the command instead, in one
        line: nothing more can be recorded."""
        reason = failure_reason(exc)
        if getattr(self.conn, "closed", 0):
            raise DatabaseError(f"lost the connection to the database while handling {name}: "
                                f"{reason}") from None
        summary.failed += 1
        summary.errors.append(printable(f"{name}: {reason}"))
        log.error("%s: %s failed: %s", summary.source, name, reason)
        if row is not None:
            try:
                self._update(row.file_id, status=FAILED, quarantine_reason=reason)
            except Exception as again:
                raise DatabaseError(f"lost the connection to the database while recording "
                                    f"that {name} failed: {failure_reason(again)}") from None
            row.status = FAILED

    # -- manifest ---------------------------------------------------------
    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else []

    def _row(self, where: str, args: tuple) -> Row | None:
        rows = self._query(
            f"select {_ROW_COLUMNS} from {RAW_SCHEMA}.file_manifest where {where} "
            "order by file_id desc limit 1", args)
        return Row(*rows[0]) if rows else None

    def _insert(self, **values) -> int:
        values.setdefault("run_id", self.run_id)
        cols = ", ".join(values)
        marks = ", ".join(["%s"] * len(values))
        return self._query(
            f"insert into {RAW_SCHEMA}.file_manifest ({cols}) values ({marks}) returning file_id",
            tuple(values.values()))[0][0]

    def _update(self, file_id: int, **values) -> None:
        sets = ", ".join(f"{k} = %s" for k in values)
        self._query(f"update {RAW_SCHEMA}.file_manifest set {sets} where file_id = %s",
                    (*values.values(), file_id))

    # -- archive ----------------------------------------------------------
    def _receive(self, name: str, write: Callable[[_HashingWriter], None],
                 expected_size: int | None) -> tuple[Path, str, int]:
        """Writes bytes to a temporary name in the archive, verifies, fsyncs."""
        self.incoming.mkdir(parents=True, exist_ok=True)
        tmp = self.incoming / f"{uuid.uuid4().hex}.part"
        try:
            with open(tmp, "wb") as f:
                writer = _HashingWriter(f)
                try:
                    write(writer)
                finally:
                    writer.close()
                f.flush()
                os.fsync(f.fileno())
            if expected_size is not None and expected_size >= 0 and writer.size != expected_size:
                raise CustodyError(
                    f"{name}: received {writer.size} bytes but the listing said {expected_size}")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._sniffed[tmp] = writer.text
        return tmp, writer.sha.hexdigest(), writer.size

    def _archive(self, source: str, name: str, tmp: Path, sha: str) -> Path:
        month = datetime.now(UTC).strftime("%Y-%m")
        folder = self.cfg.archive / source / month
        folder.mkdir(parents=True, exist_ok=True)
        # A name near the file system's limit leaves no room for the suffix
        # below: it is archived shortened; the manifest keeps the original.
        short = safe_file_name(name)
        if short != name:
            log.info("%s: %s is archived as %s (name too long to keep whole)", source, name, short)
        dest = folder / short
        text = self._sniffed.pop(tmp, None)
        if text is not None:
            self._sniffed[dest] = text
        if dest.exists():
            # An earlier attempt got this far (a size that differs is other content).
            if dest.stat().st_size == tmp.stat().st_size and file_sha256(dest) == sha:
                tmp.unlink()
                return dest
            dest = folder / f"{short}.{sha[:12]}"
            self._sniffed[dest] = self._sniffed.pop(folder / short, text)
        os.replace(tmp, dest)
        _fsync_dir(folder)
        return dest

    # -- one delivery -----------------------------------------------------
    def _accept(self, source: str, fmt: Format, name: str, tmp: Path, sha: str, size: int,
                summary: SourceSummary, remote_folder: str | None,
                resumable: Callable[[Row], bool]) -> Row:
        """Records a received file: resumed, duplicate, empty or new original."""
        same = self._row("source = %s and original_name = %s and sha256 = %s",
                         (source, name, sha))
        if same is not None and resumable(same):
            tmp.unlink(missing_ok=True)
            log.info("%s: resuming %s (file %s, %s)", source, name, same.file_id, same.status)
            return same
        summary.received += 1
        if size == 0:
            tmp.unlink(missing_ok=True)
            file_id = self._insert(source=source, format=fmt.name, original_name=name, sha256=sha,
                                   size_bytes=0, status=EMPTY, remote_folder=remote_folder)
            summary.empty += 1
            log.info("%s: %s is empty; recorded (file %s), not landed", source, name, file_id)
            return self._row("file_id = %s", (file_id,))
        original = self._row(
            "sha256 = %s and duplicate_of is null and status in %s",
            (sha, ORIGINAL_STATUSES))
        if original is not None:
            tmp.unlink(missing_ok=True)
            file_id = self._insert(source=source, format=fmt.name, original_name=name, sha256=sha,
                                   size_bytes=size, status=DUPLICATE,
                                   duplicate_of=original.file_id,
                                   archive_path=original.archive_path, remote_folder=remote_folder)
            summary.duplicates += 1
            log.info("%s: %s has the same content as file %s; recorded as duplicate %s",
                     source, name, original.file_id, file_id)
            return self._row("file_id = %s", (file_id,))
        dest = self._archive(source, name, tmp, sha)
        file_id = self._insert(source=source, format=fmt.name, original_name=name, sha256=sha,
                               size_bytes=size, status=ARCHIVED, archive_path=str(dest),
                               remote_folder=remote_folder)
        log.info("%s: archived %s as file %s (%s bytes, sha256 %s)",
                 source, name, file_id, size, sha[:12])
        crash_point("after_archive")
        return self._row("file_id = %s", (file_id,))

    def _land(self, row: Row, fmt: Format, summary: SourceSummary,
              src: SourceConfig | None) -> None:
        """Decrypts if configured, then lands the rows; status becomes landed.

        A file that is not of its format is quarantined; any other error marks
        it failed with the reason, and the caller goes on with the next file.
        """
        if row.status not in PENDING_STATUSES or row.file_id in self._attempted:
            return
        self._attempted.add(row.file_id)
        try:
            self._land_once(row, fmt, summary, src)
        except DatabaseError:
            raise
        except Exception as exc:
            self._fail(row, row.original_name, exc, summary)
            # The packages copied before the error are committed: a failed file
            # holds no rows until it lands whole (the retry deletes them too).
            try:
                self._query(f"delete from {RAW_SCHEMA}.{fmt.raw_table} where _file_id = %s",
                            (row.file_id,))
            except Exception as again:
                log.warning("rows of failed file %s left for its retry to delete: %s",
                            row.file_id, failure_reason(again))

    def _land_once(self, row: Row, fmt: Format, summary: SourceSummary,
                   src: SourceConfig | None) -> None:
        path = Path(row.archive_path)
        sniffed = self._sniffed.pop(path, None)
        if src is not None and src.pgp is not None:
            from loaders.custody.pgp import DecryptError, decrypt, decrypted_name

            clear = path.with_name(decrypted_name(path.name))
            try:
                decrypt(src.pgp, path, clear)
            except DecryptError as exc:
                self._quarantine(row, str(exc), summary)
                return
            self._update(row.file_id, decrypted_path=str(clear), decrypted_sha256=file_sha256(clear))
            path, sniffed = clear, None  # the clear text is sniffed when landed
        text: FileText | None = sniffed.result(path) if sniffed is not None else None
        load_id = f"{self.run_id}-{row.file_id}-{uuid.uuid4().hex[:8]}"
        # Committed before any row lands: a rerun after a crash sees that an
        # attempt started and deletes what it left.
        started_before = self._query(
            f"select land_started_at from {RAW_SCHEMA}.file_manifest where file_id = %s",
            (row.file_id,))[0][0] is not None
        self._update(row.file_id, land_started_at=datetime.now(UTC))
        task = self.progress.start(f"land {row.original_name}", None) if self.progress else None
        try:
            result = land_file(self.db, self.conn, fmt, path, row.file_id, load_id,
                               progress=(lambda n: self.progress.advance(task, n)) if task else None,
                               text=text, replace=started_before)
        except Unlandable as exc:  # raised before any row is handed to dlt
            self._quarantine(row, str(exc), summary)
            return
        finally:
            if task is not None:
                self.progress.stop(task)
        with transaction(self.conn) as cur:
            cur.execute(f"delete from {RAW_SCHEMA}.file_columns where file_id = %s",
                        (row.file_id,))
            for ordinal, (header, column) in enumerate(result.header, start=1):
                cur.execute(f"insert into {RAW_SCHEMA}.file_columns values (%s, %s, %s, %s)",
                            (row.file_id, ordinal, header, column))
            cur.execute(
                f"update {RAW_SCHEMA}.file_manifest set status = %s, "
                "rows_landed = %s, load_id = %s, landed_at = now(), encoding = %s, "
                "has_bom = %s, line_ending = %s where file_id = %s",
                (LANDED, result.rows, load_id, result.text.encoding, result.text.has_bom,
                 result.text.line_ending, row.file_id))
        row.status = LANDED
        summary.landed_files += 1
        summary.rows_landed += result.rows
        log.info("landed file %s (%s): %s rows into %s.%s", row.file_id, row.original_name,
                 result.rows, RAW_SCHEMA, fmt.raw_table)
        crash_point("after_land")

    def _quarantine(self, row: Row, reason: str, summary: SourceSummary) -> None:
        self._update(row.file_id, status=QUARANTINED, quarantine_reason=reason)
        row.status = QUARANTINED
        summary.quarantined += 1
        summary.quarantine_reasons.append(printable(f"{row.original_name}: {reason}"))
        log.warning("quarantined file %s (%s): %s", row.file_id, row.original_name, reason)

    # -- local files ------------------------------------------------------
    def load_paths(self, fmt_name: str, paths: list[Path], source: str = "local") -> SourceSummary:
        """``load``: the same custody for local files (they are not removed)."""
        fmt = get_format(fmt_name)
        summary = SourceSummary(source)
        for path in paths:  # a mistyped path stops the command before any file is taken
            if not path.is_file():
                raise CustodyError(f"{path}: no such file")
        for path in paths:
            try:
                self._load_one(fmt, path, source, summary)
            except DatabaseError:
                raise
            except Exception as exc:  # unreadable, or the archive would not take it
                self._fail(None, path.name, exc, summary)
        return summary

    def _load_one(self, fmt: Format, path: Path, source: str, summary: SourceSummary) -> None:
        task = self.progress.start(f"archive {path.name}", path.stat().st_size) \
            if self.progress else None

        def copy(writer, path=path, task=task):
            with open(path, "rb") as f:
                while chunk := f.read(1 << 20):
                    writer.write(chunk)
                    if task is not None:
                        self.progress.advance(task, len(chunk))

        try:
            tmp, sha, size = self._receive(path.name, copy, None)
        finally:
            if task is not None:
                self.progress.stop(task)
        row = self._accept(source, fmt, path.name, tmp, sha, size, summary, None,
                           resumable=lambda r: r.status in PENDING_STATUSES)
        self._land(row, fmt, summary, None)

    # -- remote sources ---------------------------------------------------
    def fetch_source(self, src: SourceConfig) -> SourceSummary:
        from loaders.custody.transports import TransportError, open_transport

        fmt = get_format(src.format)
        summary = SourceSummary(src.name)
        self.resume_pending(src.name, summary)
        with open_transport(src) as transport:
            listing = {f.name: f for f in transport.list_files()}
            self._record_gone(src, listing)
            candidates = {}
            for name, entry in sorted(listing.items()):
                verdict, reason = listing_verdict(src, name)
                if verdict == SKIP:
                    continue
                if verdict == REFUSE:
                    self._refuse(src, name, reason, summary)
                    continue
                if verdict == WAIT:
                    summary.waiting += 1
                    log.info("%s: %s is still being written (name); next run", src.name, name)
                    continue
                if not src.delete_after and already_received(
                        self.conn, src.name, name, entry.size) is not None:
                    continue  # kept on the server by configuration, already received
                candidates[name] = entry
            if candidates and src.settle_seconds > 0:
                time.sleep(src.settle_seconds)
                again = {f.name: f for f in transport.list_files()}
                for name in list(candidates):
                    now = again.get(name)
                    if now is None or now.size != candidates[name].size:
                        del candidates[name]
                        summary.waiting += 1
                        log.info("%s: %s changed size while listing; next run", src.name, name)
            for name, entry in candidates.items():
                try:
                    self._fetch_one(src, fmt, transport, name, entry.size, summary)
                except (TransportError, CustodyError) as exc:
                    summary.failed += 1
                    summary.errors.append(printable(f"{name}: {exc}"))
                    log.error("%s: %s: %s", src.name, name, exc)
                except DatabaseError:
                    raise
                except Exception as exc:  # the file stays on the server for the next run
                    self._fail(None, name, exc, summary)
        return summary

    def _fetch_one(self, src, fmt, transport, name: str, size: int, summary) -> None:
        task = self.progress.start(f"{src.name}: {name}", size if size >= 0 else None) \
            if self.progress else None

        def download(writer):
            transport.download(name, writer,
                               (lambda n: self.progress.advance(task, n)) if task else None)

        try:
            tmp, sha, got = self._receive(name, download, size)
        finally:
            if task is not None:
                self.progress.stop(task)
        crash_point("after_download")
        needs_backup = src.backup_folder is not None

        def resumable(row: Row) -> bool:
            return (row.status in PENDING_STATUSES or (needs_backup and row.backed_up_at is None)
                    or (src.delete_after and row.removed_at is None))

        row = self._accept(src.name, fmt, name, tmp, sha, got, summary, src.remote_folder,
                           resumable)
        self._land(row, fmt, summary, src)
        self._release(src, transport, row, summary)

    def _release(self, src, transport, row: Row, summary: SourceSummary) -> None:
        """Backup copy on the server, then removal: only after custody is done
        (a failed file stays on the server until a later run lands it)."""
        if row.status in PENDING_STATUSES:
            return
        if src.backup_folder and row.backed_up_at is None:
            local = Path(row.archive_path) if row.archive_path else None
            stand_in = None
            if local is None or not local.exists():
                local = stand_in = self.incoming / f"empty-{row.file_id}"
                local.parent.mkdir(parents=True, exist_ok=True)
                local.write_bytes(b"")
            # Uploaded under a temporary name with a suffix: a long name shortened.
            backup_name = safe_file_name(row.original_name)
            try:
                transport.upload(local, src.backup_folder, backup_name)
            finally:
                if stand_in is not None:
                    stand_in.unlink(missing_ok=True)
            self._update(row.file_id, backed_up_at=datetime.now(UTC))
            log.info("%s: copied %s to backup folder %s as %s", src.name, row.original_name,
                     src.backup_folder, backup_name)
        if src.delete_after and row.removed_at is None:
            crash_point("before_remove")
            transport.remove(row.original_name)
            self._update(row.file_id, removed_at=datetime.now(UTC))
            summary.removed += 1
            crash_point("after_remove")

    def _record_gone(self, src: SourceConfig, listing: dict) -> None:
        """Records the removal of files custody finished and asked the server to
        remove, that are no longer listed: a run killed between the server's
        delete and its reply left ``removed_at`` empty."""
        if not src.delete_after:
            return
        rows = self._query(
            f"select file_id, original_name from {RAW_SCHEMA}.file_manifest "
            "where source = %s and remote_folder is not distinct from %s "
            "and removed_at is null and status in %s and (%s or backed_up_at is not null)",
            (src.name, src.remote_folder, (LANDED, DUPLICATE, EMPTY, QUARANTINED),
             src.backup_folder is None))
        for file_id, name in rows:
            if name in listing:
                continue  # still there: its removal is retried when it is fetched
            self._update(file_id, removed_at=datetime.now(UTC),
                         removal_note="found gone from the server by a later run; "
                                      "custody never saw its removal succeed")
            log.info("%s: %s (file %s) is gone from the server; its removal is recorded now",
                     src.name, name, file_id)

    def _refuse(self, src: SourceConfig, name: str, reason: str, summary: SourceSummary) -> None:
        summary.refused += 1
        # Recorded as it can be shown: a NUL byte cannot be stored in text.
        shown = printable(name)
        log.error("%s: refused remote file %s: %s", src.name, shown, reason)
        if self._row("source = %s and original_name = %s and status = %s",
                     (src.name, shown, REFUSED)) is None:
            self._insert(source=src.name, format=src.format, original_name=shown,
                         status=REFUSED, quarantine_reason=reason,
                         remote_folder=src.remote_folder)

    def resume_pending(self, source: str, summary: SourceSummary) -> None:
        """Lands files an interrupted run left archived, or an earlier run failed."""
        rows = self._query(
            f"select {_ROW_COLUMNS}, format from {RAW_SCHEMA}.file_manifest "
            "where source = %s and status in %s order by file_id", (source, PENDING_STATUSES))
        for *cols, fmt_name in rows:
            row = Row(*cols)
            log.info("%s: landing file %s left %s by an earlier run", source, row.file_id,
                     row.status)
            src = next((s for s in self.cfg.sources if s.name == source), None)
            self._land(row, get_format(fmt_name), summary, src)


class CustodyError(ScorebridgeError):
    """A custody step failed for one file; the file stays on the server."""


def failure_reason(exc: BaseException) -> str:
    """An unexpected error as one line for the manifest and the console: the
    type and first line of the error at its root (dlt wraps the database's in
    several of its own), scrubbed of secrets. Our own errors are already
    worded as one line."""
    if isinstance(exc, ScorebridgeError):
        return scrub(str(exc))[:500]
    seen = set()
    while id(exc) not in seen and len(seen) < 10:
        seen.add(id(exc))
        cause = exc.__cause__ or exc.__context__
        if cause is None or not str(cause).strip():
            break
        exc = cause
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0].strip()}" if lines else type(exc).__name__
    return scrub(text)[:500]
