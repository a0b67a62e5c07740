"""Shared helpers: run the real CLI in a child process, write config files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "vendor-samples"


def run_cli(*args: str, cwd: Path, env: dict | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env.setdefault("SCOREBRIDGE_STATE_DIR", str(cwd / ".state"))
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=cwd,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


def write_config(folder: Path, sources: list[dict], **extra) -> Path:
    data = {"archive": str(folder / "archive"), "log_file": str(folder / "scorebridge.log"),
            "sources": sources, **extra}
    path = folder / "scorebridge.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def fixed_record(width: int, fields: dict[int, str]) -> str:
    """A fixed-width record: each text at its 1-based start, spaces elsewhere."""
    line = [" "] * width
    for start, text in fields.items():
        line[start - 1:start - 1 + len(text)] = list(text)
    return "".join(line)
