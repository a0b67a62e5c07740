"""Logging and progress for people: rich on the terminal, a plain log file,
and a filter that blanks every known secret before anything is written."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from loaders.core.names import printable

_SECRETS: set[str] = set()


def register_secret(value: str | None) -> None:
    """Every log record is scrubbed of registered secret values."""
    if value and len(value) >= 3:
        _SECRETS.add(value)


def scrub(text: str) -> str:
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class _ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS:
            record.msg = scrub(record.getMessage())
            record.args = ()
            if record.exc_text:
                record.exc_text = scrub(record.exc_text)
        return True


class _EscapeFilter(logging.Filter):
    """Control characters in a record's arguments (remote file names, the
    errors that quote them) are written as escapes: a name holding a line end
    or a terminal escape cannot forge a log line or repaint the terminal. The
    format strings are ours and keep their text; a record logged with
    ``extra={"verbatim": True}`` (dbt's own output, many lines) is left as is."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and not getattr(record, "verbatim", False):
            if isinstance(record.args, dict):
                record.args = {k: _escaped(v) for k, v in record.args.items()}
            else:
                record.args = tuple(_escaped(v) for v in record.args)
        return True


def _escaped(value):
    if isinstance(value, str | BaseException):
        return printable(str(value))
    return value


class _ScrubFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


# The logger that carries each line dbt prints (loaders.core.dbt): always to
# the log file, to the terminal only with --verbose.
DBT_OUTPUT_LOGGER = "scorebridge.dbt"


class _NotDbtOutput(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.name != DBT_OUTPUT_LOGGER


def setup_logging(log_file: Path, quiet: bool, verbose: bool = False) -> None:
    """Everything to ``log_file``; to the terminal what a person follows: INFO
    and up (WARNING with ``quiet``), dbt's own lines only with ``verbose``."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.INFO)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    file_handler = logging.FileHandler(log_file, encoding="utf-8")
    file_handler.setFormatter(_ScrubFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    file_handler.addFilter(_EscapeFilter())
    file_handler.addFilter(_ScrubFilter())
    root.addHandler(file_handler)
    from rich.logging import RichHandler

    from loaders.core.ui_console import err_console

    console = RichHandler(console=err_console(), show_path=False, show_time=False,
                          rich_tracebacks=False, markup=False)
    console.setLevel(logging.WARNING if quiet else logging.INFO)
    console.addFilter(_EscapeFilter())
    console.addFilter(_ScrubFilter())
    if not verbose:
        console.addFilter(_NotDbtOutput())
    root.addHandler(console)
    for noisy in ("paramiko", "dlt", "gnupg", "pyftpdlib", "urllib3", "filelock", "pgserver"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class Progress:
    """Thin wrapper over rich.progress with start/advance/stop by task id: bytes
    of transfers, or with ``counting`` a count of steps (dbt's nodes)."""

    def __init__(self, enabled: bool, counting: bool = False) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.counting = counting
        self._progress = None

    def __enter__(self):
        if self.enabled:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )
            from rich.progress import Progress as RichProgress

            from loaders.core.ui_console import err_console

            columns = ((MofNCompleteColumn(), TimeElapsedColumn()) if self.counting else
                       (DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn()))
            self._progress = RichProgress(
                TextColumn("{task.description}"), BarColumn(), *columns, console=err_console(),
                transient=True)
            self._progress.start()
        return self

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.stop()

    def start(self, description: str, total: int | None):
        if self._progress is None:
            return None
        return self._progress.add_task(description, total=total)

    def advance(self, task, amount: int) -> None:
        if self._progress is not None and task is not None:
            self._progress.advance(task, amount)

    def stop(self, task) -> None:
        if self._progress is not None and task is not None:
            self._progress.remove_task(task)
