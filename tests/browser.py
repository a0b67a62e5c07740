"""Headless Chromium for the page tests: Debian's chromium, no network, nothing left running.

``browse`` prints a static page's DOM; the ``webdriver`` fixture drives a live page
through Selenium and Debian's chromedriver (the review pages; ``chrome()`` opens
a second one), and ``screenshot`` saves what it shows for the docs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# The docs' screenshots are refreshed only when asked
# (SCOREBRIDGE_SCREENSHOTS=docs/images); otherwise a run writes them to a
# scratch folder, so a test run leaves the checkout as it was.
SCREENSHOTS = (ROOT / os.environ["SCOREBRIDGE_SCREENSHOTS"]
               if os.environ.get("SCOREBRIDGE_SCREENSHOTS")
               else Path(tempfile.gettempdir()) / "scorebridge-screenshots")
WINDOW = (1280, 900)


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


@contextmanager
def chrome():
    """A headless Chromium driven by Selenium, quit and its profile removed on leaving.
    Debian's chromium and chromedriver are named outright, so selenium-manager never
    looks for a driver on the network; the profile is a temporary folder."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (Debian's chromium and "
                    "chromium-driver: scripts/system-deps.sh)")
    from selenium.webdriver import Chrome, ChromeOptions
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="sb-selenium-")
    options = ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}"):
        options.add_argument(flag)
    driver = None
    try:
        driver = Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        driver.set_window_size(*WINDOW)
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def webdriver():
    """A browser (``chrome()``) per test, so no cookie or session carries over; a test
    that needs a second one (two reviewers) opens it with ``chrome()``."""
    with chrome() as driver:
        yield driver


def screenshot(driver, name: str, folder: Path = SCREENSHOTS) -> Path:
    """Saves what the browser shows as review-<name>.png in SCREENSHOTS
    (docs/images when SCOREBRIDGE_SCREENSHOTS=docs/images: the docs show them;
    ``folder`` elsewhere for a test of this helper); its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"review-{name}.png"
    assert driver.save_screenshot(str(path)), f"no screenshot saved to {path}"
    return path
