"""``docs``: the dbt docs site as one HTML file that opens from disk, no server needed.

``dbt docs generate`` writes ``index.html``, which fetches ``manifest.json`` and
``catalog.json`` next to it; a browser opening it from disk (``file://``) refuses
those fetches and shows nothing. ``--static`` also writes ``static_index.html``
with both inlined; that is the file copied to ``out``. Its first page is the
project overview, ``{% docs __overview__ %}`` in ``models/overview.md``.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from loaders.core.dbt import dbt
from loaders.core.errors import ScorebridgeError
from loaders.core.paths import PROJECT_ROOT

log = logging.getLogger(__name__)

STATIC_INDEX = "static_index.html"


class DocsError(ScorebridgeError):
    """dbt could not generate the docs site."""


def target_path() -> Path:
    """dbt's target folder: DBT_TARGET_PATH if set (relative to the project), else target/."""
    return PROJECT_ROOT / os.environ.get("DBT_TARGET_PATH", "target")


def write_docs_site(ctx, out: Path) -> Path:
    """Generates the static docs site and writes it to ``out`` (a file, or a folder for
    ``index.html``); returns the path written."""
    if out.is_dir():
        out = out / "index.html"
    if dbt(ctx.db, ["docs", "generate", "--static"], quiet=ctx.quiet) != 0:
        raise DocsError("dbt docs generate failed (see the output above, or the log with "
                        "--quiet)")
    source = target_path() / STATIC_INDEX
    if not source.exists():
        raise DocsError(f"dbt docs generate wrote no {source}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part")
    shutil.copyfile(source, tmp)
    tmp.replace(out)
    log.info("docs site written to %s", out)
    return out.resolve()
