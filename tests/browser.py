"""Headless Chromium for the page tests: Debian's chromium, no network, nothing left running."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "system-deps.sh")], check=True)
    return CHROMIUM


def browse(chromium: str, page: Path, *mode: str, timeout: float = 120) -> str:
    """Opens ``page`` with every network lookup failing (the page must need none) and
    returns what Chromium printed (the DOM with ``--dump-dom``).

    Chromium runs in a process group of its own, killed whole when it is done or
    does not finish in time, so no renderer or zygote is left behind."""
    profile = tempfile.mkdtemp(prefix="sb-chromium-")
    proc = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",
         *mode, page.as_uri()],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"Chromium did not finish loading {page} in {timeout} s")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, f"chromium exited with {proc.returncode}"
    return out
