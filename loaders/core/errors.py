"""The one base error: a known problem that the CLI reports as one line
(``error: ...``, exit status 1) instead of a traceback.

Each room subclasses it (ConfigError, DatabaseError, LockBusy, UnknownFormat
here in core; TransportError, CustodyError, DecryptError in custody;
ExportError in outbound), so this module imports none of them and a new error
class is known to the CLI by being one.
"""

from __future__ import annotations


class ScorebridgeError(Exception):
    """A problem worded as one clear line, never containing a secret."""
