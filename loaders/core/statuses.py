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

FILE_STATUSES = (ARCHIVED, LANDED, DUPLICATE, EMPTY, QUARANTINED, REFUSED)

# The statuses of an original: one such file per content (the manifest's
# unique index file_manifest_one_original says the same).
ORIGINAL_STATUSES = (ARCHIVED, LANDED, QUARANTINED)
