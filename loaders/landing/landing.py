"""Lossless landing of one archived file into its raw table with dlt.

Every physical line (fixed-width) or record (CSV) of the file becomes one row
with its file id and line number, including lines that do not parse: those
keep their text in ``_raw_record`` and the reason in ``_parse_error`` for
staging to flag. The file is streamed in Arrow batches of ~10k rows, never
read whole into memory.
"""

from __future__ import annotations

import array
import codecs
import csv
import itertools
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from loaders.core.crash import crash_point
from loaders.core.db import RAW_SCHEMA, Database
from loaders.core.errors import ScorebridgeError
from loaders.core.formats import Format, required_columns
from loaders.core.names import column_names
from loaders.core.paths import STATE_DIR

log = logging.getLogger(__name__)

BATCH_ROWS = 10_000
# A wide CSV (SAT: 860 columns) gets fewer rows a batch: memory follows cells.
BATCH_CELLS = 2_000_000
PART_ROWS = 100_000
# Parts a dlt package holds: the next package is read while one is copied.
SEGMENT_PARTS = 2
CHUNK_BYTES = 3 << 20


@dataclass
class FileText:
    """What the bytes of a file say about their text."""

    encoding: str  # python codec name used to read it
    has_bom: bool
    line_ending: str  # "LF", "CRLF", "CR", "none"
    # Why the bytes are no text file at all (compressed, binary, no known
    # encoding): such a file is quarantined before it lands. None for text.
    problem: str | None = None


@dataclass
class LandResult:
    rows: int
    text: FileText
    header: list[tuple[str, str]] = field(default_factory=list)  # (header name, column)
    bad_rows: int = 0


class TextSniffer:
    """Learns BOM, line ending and UTF-8 validity from a file's bytes as they pass.

    Custody feeds it while archiving, so landing need not read the file once
    more just to learn how to decode it.
    """

    def __init__(self):
        self.has_bom = False
        self.ending = "none"
        self.utf8 = True
        self.head = b""  # the first HEAD_BYTES: signatures, NUL and control bytes
        self.utf8_error: tuple[int, int] | None = None  # (offset, byte) of the first bad byte
        self._tail = b""  # a UTF-8 sequence cut at the end of the last chunk
        self._checked = 0  # offset in the file of the first byte of _tail + next chunk
        self._pending = b""  # a CR that ended a chunk may be half of a CRLF
        self._start = b""  # the first bytes, until a BOM can be told
        self._started = False

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[:HEAD_BYTES - len(self.head)]
        if not self._started:
            self._start += chunk
            if len(self._start) < len(codecs.BOM_UTF8) and chunk:
                return
            chunk, self._start, self._started = self._start, b"", True
            if chunk.startswith(codecs.BOM_UTF8):
                self.has_bom = True
                chunk = chunk[len(codecs.BOM_UTF8):]
                self._checked = len(codecs.BOM_UTF8)
        if self.ending == "none" and chunk:
            self._find_ending(self._pending + chunk, final=False)
        if self.utf8 and chunk:
            data = self._tail + chunk if self._tail else chunk
            cut = _utf8_cut(data)
            self._tail = data[cut:]
            self.utf8 = _valid_utf8(data[:cut] if cut < len(data) else data)
            if not self.utf8:  # once per file: where, for the quarantine reason
                try:
                    data[:cut].decode("utf-8")
                except UnicodeDecodeError as exc:
                    self.utf8_error = (self._checked + exc.start, data[exc.start])
            self._checked += cut

    def _find_ending(self, seen: bytes, final: bool) -> None:
        nl = seen.find(b"\n")
        cr = seen.find(b"\r")
        self._pending = b""
        if nl >= 0 and cr == nl - 1:
            self.ending = "CRLF"
        elif nl >= 0 and (cr < 0 or cr > nl):
            self.ending = "LF"
        elif cr >= 0 and (cr < len(seen) - 1 or final):
            self.ending = "CR"
        elif cr >= 0:
            self._pending = seen[cr:]

    def result(self, path: Path) -> FileText:
        """What the bytes said; a file that is not UTF-8 is read again for cp1252."""
        if not self._started:
            self.feed(b"")
        if self.ending == "none" and self._pending:
            self._find_ending(self._pending, final=True)
        if self._tail and self.utf8:  # the file ends inside a UTF-8 sequence
            self.utf8 = False
            self.utf8_error = (self._checked, self._tail[0])
        problem = binary_problem(self.head)
        if self.utf8:
            return FileText("utf-8", self.has_bom, self.ending, problem)
        if self.has_bom:
            # A BOM promises UTF-8; a file that breaks it is read as UTF-8 with
            # replacement so its rows still land (and staging sees the damage).
            return FileText("utf-8-replace", True, self.ending, problem)
        if problem is not None:  # no need to try cp1252 on a binary file
            return FileText("latin-1", False, self.ending, problem)
        decoder = codecs.getincrementaldecoder("cp1252")()
        read = 0
        try:
            with open(path, "rb") as f:
                while chunk := f.read(CHUNK_BYTES):
                    decoder.decode(chunk)
                    read += len(chunk)
                decoder.decode(b"", True)
        except UnicodeDecodeError as exc:
            # Latin-1 reads any byte, but the bytes cp1252 leaves undefined are
            # control codes there that no text holds: binary, or an encoding
            # we do not know. Better held back than landed as garbage.
            at, byte = self.utf8_error or (0, 0)
            return FileText("latin-1", False, self.ending,
                            f"not UTF-8 at byte {at:,} (0x{byte:02X}) nor cp1252 at byte "
                            f"{read + exc.start:,} (0x{exc.object[exc.start]:02X}): binary, "
                            "or text in an encoding scorebridge does not read")
        return FileText("cp1252", False, self.ending)


# The first bytes of a file tell a compressed or binary file from text.
# Only they are counted: counting the NUL bytes of a whole 1 GB file cost
# over a second, and a binary file shows what it is from its start.
HEAD_BYTES = 1 << 16
SIGNATURES = (
    (b"\x1f\x8b", "gzip-compressed"),
    (b"PK\x03\x04", "zip-compressed"),
    (b"PK\x05\x06", "zip-compressed"),
    (b"BZh", "bzip2-compressed"),
    (b"\xfd7zXZ\x00", "xz-compressed"),
    (b"(\xb5/\xfd", "zstd-compressed"),
    (b"7z\xbc\xaf\x27\x1c", "7z-compressed"),
    (b"%PDF-", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE document (old Excel or Word)"),
    (b"-----BEGIN PGP MESSAGE-----", "PGP-encrypted, and its source has no pgp key"),
)
# Control bytes that text does not hold (tab, line ends, form feed and the
# DOS end-of-file mark are text), NUL counted on its own.
CONTROL_BYTES = bytes([*range(1, 9), 0x0B, *range(0x0E, 0x1A), *range(0x1B, 0x20), 0x7F])
_NOT_CONTROL = bytes(b for b in range(256) if b not in CONTROL_BYTES)
# A text file with a few NUL or control bytes lands (those records flagged);
# more than this share, and at least BINARY_MIN_BYTES of them, is binary.
BINARY_SHARE = 0.01
BINARY_MIN_BYTES = 8


def binary_problem(head: bytes) -> str | None:
    """Why a file is no text file, judged by its first HEAD_BYTES bytes."""
    if head.startswith(b"BZh") and not head[3:4].isdigit():
        head = b""  # "BZh" followed by other text is text
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return f"{kind}: not a text file"
    nuls = head.count(0)
    controls = len(head.translate(None, _NOT_CONTROL))
    if any(n >= BINARY_MIN_BYTES and n / len(head) > BINARY_SHARE for n in (nuls, controls)):
        return (f"binary: NUL share {nuls / len(head):.1%}, control-byte share "
                f"{controls / len(head):.1%} of its first {len(head):,} bytes")
    return None


def _utf8_cut(data: bytes) -> int:
    """Where a UTF-8 sequence left incomplete at the end of ``data`` starts."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            break  # ASCII: nothing is cut
        if byte >= 0xC0:  # a lead byte and how many bytes its sequence needs
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) - back if need > back else len(data)
    return len(data)


def _valid_utf8(data: bytes) -> bool:
    """Strict UTF-8 (as Python's codec has it), checked by Arrow in C++.

    Python's decoder built a string of every chunk: on a 1.1 GB file it cost
    0.8 s of the archive step, against under 0.2 s here.
    """
    import pyarrow as pa

    binary = pa.Array.from_buffers(
        pa.binary(), 1, [None, pa.array([0, len(data)], pa.int32()).buffers()[1],
                         pa.py_buffer(data)])
    try:
        binary.cast(pa.string())
    except pa.ArrowInvalid:
        return False
    return True


def sniff_text(path: Path) -> FileText:
    """Detects BOM, encoding (UTF-8, else cp1252, else latin-1) and line ends.

    Streams the file, so a large one is never held in memory.
    """
    sniffer = TextSniffer()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            sniffer.feed(chunk)
    return sniffer.result(path)


def _decode(data: bytes, encoding: str) -> str:
    if encoding == "utf-8-replace":
        return data.decode("utf-8", errors="replace")
    return data.decode(encoding)


def _lines(path: Path, text: FileText) -> Iterator:
    """Arrow string arrays of physical lines, line ends removed, nothing dropped.

    One trailing CR is removed from each line (CRLF files; a CR inside a line
    stays). UTF-8 text is split by Arrow, from bytes to Arrow with no Python
    object per line (Arrow validates the UTF-8); other encodings are decoded
    line by line.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    rest = b""
    sep = b"\r" if text.line_ending == "CR" else b"\n"

    def batch(data: bytes):
        if sep == b"\n" and b"\r" in data:
            data = data.replace(b"\r\n", b"\n")
            if data.endswith(b"\r"):  # the last record's CRLF was cut at the LF
                data = data[:-1]
        if text.encoding == "utf-8":
            lines = pc.split_pattern(pa.array([data], pa.binary()), sep).flatten()
            return lines.cast(pa.string())
        return pa.array([_decode(x, text.encoding) for x in data.split(sep)], pa.string())

    with open(path, "rb") as f:
        if text.has_bom:
            f.read(len(codecs.BOM_UTF8))
        while True:
            chunk = f.read(CHUNK_BYTES)
            if not chunk:
                break
            data = rest + chunk
            cut = data.rfind(sep)
            if cut < 0:
                rest = data
                continue
            rest = data[cut + 1:]
            yield batch(data[:cut])
        if rest:  # last record without a line end
            yield batch(rest)


class _RecordingLines:
    """Feeds csv.reader line by line and remembers the text of each record."""

    def __init__(self, stream):
        self.stream = stream
        self.buffer: list[str] = []
        self.line_number = 0  # physical lines consumed so far

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.stream)
        self.buffer.append(line)
        self.line_number += 1
        return line

    def take(self) -> str:
        text = "".join(self.buffer)
        self.buffer.clear()
        return text


def _csv_records(path: Path, text: FileText, on_header: Callable[[list[str]], list[str]]):
    """Yields (line_number, fields or None, raw text, error) for every record."""
    csv.field_size_limit(1 << 30)
    encoding = "utf-8-sig" if text.has_bom else text.encoding
    errors = "strict"
    if encoding == "utf-8-replace":
        encoding, errors = "utf-8", "replace"
    with open(path, encoding=encoding, errors=errors, newline="") as f:
        lines = _RecordingLines(f)
        reader = csv.reader(lines, strict=False)
        width = None
        while True:
            start = lines.line_number + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, None, _shown(lines.take()), f"unreadable CSV record: {exc}"
                continue
            raw = lines.take()
            if width is None:
                header = [h.strip().lstrip("\ufeff").strip() for h in fields]
                width = len(on_header(header))
                continue
            if NUL in raw:
                yield start, None, _shown(raw), NUL_ERROR
            elif not fields:
                yield start, None, raw, "blank line"
            elif len(fields) != width:
                yield start, None, raw, f"expected {width} fields, found {len(fields)}"
            else:
                yield start, fields, None, None


NUL = "\x00"
# PostgreSQL's text cannot hold a NUL byte: such a record lands as an error row.
NUL_ERROR = "NUL byte in the record (shown as \\0 in _raw_record)"


def _shown(raw: str) -> str:
    """A record's text as it can be stored: NUL bytes written as \\0."""
    return raw.replace(NUL, "\\0")


def _no_dlt_errors(record: logging.LogRecord) -> bool:
    """dlt prints a failed job's traceback to stderr itself (its logger has its
    own handler), at each retry, with the COPY's line: a person's row. The
    error comes back to custody, which records it as one line with the file;
    dlt's other warnings still show."""
    return record.levelno < logging.ERROR and "Traceback" not in record.getMessage()


def _dlt_env() -> None:
    dlt_log = logging.getLogger("dlt")
    if _no_dlt_errors not in dlt_log.filters:
        dlt_log.addFilter(_no_dlt_errors)
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
    # dlt holds a Ctrl-C or SIGTERM back until its normalize or load step ends,
    # and a step that then finishes lands the file and exits 0: the signal is
    # lost. Off, it interrupts the landing at once and the file is recorded as
    # failed (tests/test_custody.py, the interrupted command).
    os.environ.setdefault("RUNTIME__INTERCEPT_SIGNALS", "false")
    # Plain files (no gzip) and ~100k rows a file: several files load in
    # parallel COPY streams, and memory stays flat however big the input.
    os.environ.setdefault("DATA_WRITER__DISABLE_COMPRESSION", "true")
    os.environ.setdefault("DATA_WRITER__FILE_MAX_ITEMS", "100000")
    os.environ.setdefault("LOAD__WORKERS", "2")
    os.environ.setdefault("SCHEMA__NAMING", "direct")


class Unlandable(ScorebridgeError):
    """A file that is not a file of its format: custody quarantines it whole,
    before any of its rows lands."""


class NotText(Unlandable):
    """Compressed, binary, or text in no encoding scorebridge reads."""


class HeaderMismatch(Unlandable):
    """A CSV header that lacks a required column of every layout version of its
    format, or holds a cell that is no column name."""


# Longer than any real header name (the samples' longest has 63 characters).
MAX_HEADER_NAME = 200


def check_header_names(header: list[str]) -> None:
    """Raises HeaderMismatch for a header cell that cannot be a column name:
    control characters, replacement characters (bytes that were no text), or
    a length no vendor uses. Such a cell would add a junk column to the raw
    table, so the file is quarantined instead."""
    for number, name in enumerate(header, start=1):
        why = None
        if any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in name):
            why = "it holds control characters"
        elif "\ufffd" in name:
            why = "it holds bytes that are not text (U+FFFD)"
        elif len(name) > MAX_HEADER_NAME:
            why = f"{len(name)} characters, more than {MAX_HEADER_NAME}"
        if why:
            raise HeaderMismatch(f"header field {number} is not a column name ({why})")


def check_header(fmt: Format, header: list[str]) -> None:
    """Raises HeaderMismatch unless the header has every required column of one
    layout version of the format (names compared as their raw column names)."""
    versions = required_columns().get(fmt.name, {})
    have = set(column_names(header))
    missing = {v: [c for c in cols if column_names([c])[0] not in have]
               for v, cols in versions.items()}
    if not versions or any(not m for m in missing.values()):
        return
    version, lacking = min(missing.items(), key=lambda kv: (len(kv[1]), kv[0]))
    raise HeaderMismatch(f"header lacks the required column(s) {', '.join(lacking)} of "
                         f"{fmt.name} (layout {version}): not a {fmt.name} file?")


def land_file(db: Database, conn, fmt: Format, path: Path, file_id: int, load_id: str,
              progress: Callable[[int], None] | None = None,
              text: FileText | None = None, replace: bool = True) -> LandResult:
    """Lands one file into ``raw.<format>`` exactly once.

    With ``replace``, rows a previous, interrupted attempt left for this file
    are deleted first, so a rerun after a crash ends with each line landed
    once. Custody passes False when no attempt was ever started for the file,
    which spares a scan of the raw table.
    ``text`` is what custody learnt of the bytes while archiving; without it
    the file is sniffed here.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    _dlt_env()
    import dlt
    from dlt.destinations.impl.postgres.postgres import PostgresParquetCopyJob

    # One COPY per row group (one batch): ADBC would otherwise gather a whole
    # part in memory before sending it.
    PostgresParquetCopyJob._ingest_per_rowgroup = True

    text = text or sniff_text(path)
    if text.problem is not None:
        raise NotText(text.problem)
    result = LandResult(rows=0, text=text)
    loaded_at = datetime.now(UTC)
    ts_type = pa.timestamp("us", tz="UTC")

    def loader_columns(n: int, first_line: int | list[int]) -> dict:
        if isinstance(first_line, int):
            lines = array.array("q", range(first_line, first_line + n))
            lines = pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(lines)])
        else:
            lines = pa.array(first_line, pa.int64())
        return {
            "_file_id": pa.repeat(pa.scalar(file_id, pa.int64()), n),
            "_line_number": lines,
            "_load_id": pa.repeat(pa.scalar(load_id, pa.string()), n),
            "_loaded_at": pa.repeat(pa.scalar(loaded_at, ts_type), n),
        }

    def fixed_batches():
        line = 1
        for records in _lines(path, text):
            n = len(records)
            cols = loader_columns(n, line)
            has_nul = pc.match_substring(records, NUL)
            if pc.any(has_nul).as_py():
                none = pa.scalar(None, pa.string())
                cols["_raw_record"] = pc.if_else(
                    has_nul, pc.replace_substring(records, NUL, "\\0"), none)
                cols["_parse_error"] = pc.if_else(has_nul, pa.scalar(NUL_ERROR), none)
                cols["record"] = pc.if_else(has_nul, none, records)
            else:
                cols["_raw_record"] = pa.nulls(n, pa.string())
                cols["_parse_error"] = pa.nulls(n, pa.string())
                cols["record"] = records
            line += n
            result.rows += n
            if progress:
                progress(n)
            yield pa.table(cols)

    columns: list[str] = []

    def on_header(header: list[str]) -> list[str]:
        check_header_names(header)
        if fmt.layout_checked_by == "landing":
            check_header(fmt, header)
        columns.extend(column_names(header))
        result.header = list(zip(header, columns, strict=True))
        return columns

    def csv_batches():
        rows: list = []
        none = pa.scalar(None, pa.string())

        def flush():
            n = len(rows)
            cols = loader_columns(n, [r[0] for r in rows])
            cols["_raw_record"] = pa.array([r[2] for r in rows], pa.string())
            cols["_parse_error"] = pa.array([r[3] for r in rows], pa.string())
            good = [r[1] if r[1] is not None else [None] * len(columns) for r in rows]
            for name, values in zip(columns, zip(*good, strict=True), strict=True):
                values = pa.array(values, pa.string())
                # An empty field is a missing value (NULL), as PostgreSQL's CSV reader has it.
                cols[name] = pc.if_else(pc.equal(values, ""), none, values)
            result.rows += n
            result.bad_rows += sum(1 for r in rows if r[3])
            if progress:
                progress(n)
            return pa.table(cols)

        for record in _csv_records(path, text, on_header):
            rows.append(record)
            if len(rows) >= min(BATCH_ROWS, max(100, BATCH_CELLS // max(len(columns), 1))):
                yield flush()
                rows = []
        if rows:
            yield flush()

    batches = fixed_batches() if fmt.kind == "fixed" else csv_batches()
    if replace:
        with conn.cursor() as cur:
            cur.execute(f"delete from {RAW_SCHEMA}.{fmt.raw_table} where _file_id = %s",
                        (file_id,))
    # Named by this process, so the next run can tell a killed landing's
    # folder (its process gone) from one still working.
    work = Path(tempfile.mkdtemp(prefix=f"dlt-{os.getpid()}-", dir=_dlt_dir()))
    file_format = part_format(fmt)
    parts = _parts(batches, work / "parts", dlt, file_format)
    try:
        _extract_and_load(dlt, db, fmt, parts, work, file_format, path.name, result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # Fresh planner statistics now, not when autovacuum comes by: the models
    # that read a raw table through views right after a load (the sync's
    # snapshots) otherwise get plans for an empty table (nested loops over
    # whole tables). ANALYZE samples, so it is about as quick at two million rows.
    with conn.cursor() as cur:
        cur.execute(f"analyze {RAW_SCHEMA}.{fmt.raw_table}")
    return result


def _extract_and_load(dlt, db: Database, fmt: Format, parts: Iterator, work: Path,
                      file_format: str, name: str, result: LandResult) -> None:
    """Reads the next parts while dlt copies the ones before them.

    The parts go to dlt in packages of SEGMENT_PARTS, each through a pipeline
    of its own (dlt's steps for one pipeline run one after another). One
    thread loads the packages in order, so the destination schema is only
    ever changed by one of them at a time; reading and writing the next
    package overlaps that COPY.
    """

    ready: queue.Queue = queue.Queue(maxsize=1)
    failure: list[BaseException] = []
    timings = {"read": 0.0, "copy": 0.0}

    def loader() -> None:
        while (pipeline := ready.get()) is not None:
            if failure:
                continue  # drain: the reader stops at its next package
            started = time.perf_counter()
            try:
                pipeline.load(raise_on_failed_jobs=True)
                crash_point("during_land")  # rows committed, the manifest not yet updated
            except BaseException as exc:  # re-raised in the calling thread
                failure.append(exc)
            timings["copy"] += time.perf_counter() - started

    thread = threading.Thread(target=loader, name=f"load-{fmt.raw_table}", daemon=True)
    thread.start()
    started = time.perf_counter()
    try:
        for n, segment in enumerate(_segments(parts, SEGMENT_PARTS), start=1):
            if failure:
                break
            read_started = time.perf_counter()
            pipeline = dlt.pipeline(
                pipeline_name=f"land_{fmt.raw_table}",
                pipelines_dir=str(work / f"package-{n:04d}"),
                destination=dlt.destinations.postgres(credentials=db.dlt_credentials()),
                dataset_name=RAW_SCHEMA,
            )
            resource = dlt.resource(segment, name=fmt.raw_table, write_disposition="append")
            pipeline.extract(resource, loader_file_format=file_format)
            pipeline.normalize()
            timings["read"] += time.perf_counter() - read_started
            ready.put(pipeline)
    finally:
        ready.put(None)
        thread.join()
    if failure:
        raise failure[0]
    log.info("landed %s rows of %s in %.1fs: read %.1fs, copy %.1fs (overlapping)",
             result.rows, name, time.perf_counter() - started, timings["read"],
             timings["copy"])


def _segments(parts: Iterator, size: int) -> Iterator[Iterator]:
    """Splits an iterator into consecutive iterators of up to ``size`` items."""
    for first in parts:
        yield itertools.chain([first], itertools.islice(parts, size - 1))


def part_format(fmt: Format) -> str:
    """The file format of the parts dlt imports for a format's files.

    Fixed-width records go as Parquet, which dlt sends through ADBC's binary
    COPY: PostgreSQL takes 1145-character records that way in two thirds of
    the time CSV takes (nothing to scan for quotes). CSV files go as CSV: their
    short values were slower through ADBC (a 300,000-line results file: COPY
    1.8 s against 1.1 s; SAT's 860 columns: 3.0 s against 1.1 s) and took
    more memory.
    """
    return "parquet" if fmt.kind == "fixed" else "csv"


def _parts(batches, folder: Path, dlt, file_format: str) -> Iterator:
    """Writes Arrow batches into part files that dlt imports as they are.

    dlt would otherwise rewrite each batch before its COPY. A Parquet batch
    is one row group, loaded by one COPY, so memory stays flat; a new part
    every PART_ROWS rows lets dlt copy parts in parallel.
    """
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    writer = None
    schema = None
    part = rows = 0
    current = None

    def close():
        writer.close()
        return dlt.mark.with_file_import(str(current), file_format, items_count=rows,
                                         hints=schema.empty_table())

    for table in batches:
        if writer is None:
            part += 1
            current = folder / f"part-{part:05d}.{file_format}"
            schema = table.schema
            if file_format == "parquet":
                writer = pq.ParquetWriter(str(current), schema, compression="none",
                                          use_dictionary=False, write_statistics=False)
            else:
                writer = pacsv.CSVWriter(str(current), schema)
            rows = 0
        writer.write_table(table)
        rows += table.num_rows
        if rows >= PART_ROWS:
            yield close()
            writer = None
    if writer is not None:
        yield close()


def _dlt_dir() -> Path:
    path = STATE_DIR / "dlt"
    path.mkdir(parents=True, exist_ok=True)
    return path


def remove_stale_work() -> list[Path]:
    """Removes the working folders (part files and dlt packages: copies of
    people's rows) of landings whose process is gone, killed before its own
    clean-up ran; returns them. Custody calls it at the start of every run."""
    folder = STATE_DIR / "dlt"
    removed = []
    for work in sorted(folder.glob("dlt-*")) if folder.is_dir() else []:
        pid = work.name.split("-")[1]
        if pid.isdigit() and int(pid) != os.getpid() and _running(int(pid)):
            continue
        log.info("removing %s, the part files of a landing that was interrupted", work.name)
        shutil.rmtree(work, ignore_errors=True)
        removed.append(work)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
