"""The problems the CLI reports as one line (exit 1) instead of a traceback."""

from __future__ import annotations


def known_errors() -> tuple[type[BaseException], ...]:
    from loaders.config import ConfigError
    from loaders.custody import CustodyError
    from loaders.db import DatabaseError, LockBusy
    from loaders.exports import ExportError
    from loaders.formats import UnknownFormat

    errors: list[type[BaseException]] = [ConfigError, CustodyError, DatabaseError, LockBusy,
                                         ExportError, UnknownFormat]
    try:
        from loaders.transports import TransportError

        errors.append(TransportError)
    except ImportError:  # pragma: no cover - transports always ships
        pass
    return tuple(errors)
