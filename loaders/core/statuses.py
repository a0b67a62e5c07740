"""The statuses of a received file (``raw.file_manifest.status``), listed once.

The same list, with what each status means, is the seed
``seeds/file_statuses.csv``; the ``accepted_values`` test on
``stg_raw__file_manifest.status`` names it too, and ``tests/test_statuses.py``
proves the three agree.
"""

from __future__ import annotations

ARCHIVED = "archived"        # bytes in the local archive, rows not landed yet
LANDED = "landed"            # rows committed to the format's raw table
DUPLICATE = "duplicate"      # same content as an earlier file (duplicate_of)
EMPTY = "empty"              # zero bytes: recorded, never landed
QUARANTINED = "quarantined"  # kept in the archive, not landed (quarantine_reason)
REFUSED = "refused"          # a remote name custody would not take; no bytes
FAILED = "failed"            # landing failed unexpectedly (quarantine_reason); retried next run

FILE_STATUSES = (ARCHIVED, LANDED, DUPLICATE, EMPTY, QUARANTINED, REFUSED, FAILED)

# The statuses of an original: one such file per content (the manifest's
# unique index file_manifest_one_original says the same).
ORIGINAL_STATUSES = (ARCHIVED, LANDED, QUARANTINED, FAILED)

# Statuses a file waits in for custody to land it: archived during a command
# (or after a kill), failed after an unexpected error. Neither is final: the
# next run of its source (or a `load` of the same file) lands it.
PENDING_STATUSES = (ARCHIVED, FAILED)
