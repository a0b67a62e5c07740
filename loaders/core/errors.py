"""The problems the CLI reports as one line (exit 1) instead of a traceback."""

from __future__ import annotations


def known_errors() -> tuple[type[BaseException], ...]:
    from loaders.core.config import ConfigError
    from loaders.core.db import DatabaseError, LockBusy
    from loaders.core.formats import UnknownFormat
    from loaders.custody.pipeline import CustodyError
    from loaders.outbound.csv_files import ExportError

    errors: list[type[BaseException]] = [ConfigError, CustodyError, DatabaseError, LockBusy,
                                         ExportError, UnknownFormat]
    try:
        from loaders.custody.transports import TransportError

        errors.append(TransportError)
    except ImportError:  # pragma: no cover - transports always ships
        pass
    return tuple(errors)
