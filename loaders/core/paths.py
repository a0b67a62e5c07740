"""Where the project and its local state live."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Git-ignored folder for the embedded database, dlt's working files and logs.
STATE_DIR = Path(os.environ.get("SCOREBRIDGE_STATE_DIR", PROJECT_ROOT / ".scorebridge"))
SEEDS_DIR = PROJECT_ROOT / "seeds"
