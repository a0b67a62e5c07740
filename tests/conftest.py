import importlib.util
import os
import time
from pathlib import Path

import pytest

pytest_plugins = ["tests.pg"]
if importlib.util.find_spec("tests.servers") is not None:
    pytest_plugins.append("tests.servers")

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    """Each xdist worker gets its own dbt target folder: two dbt processes writing
    one manifest and partial-parse file at once would read each other's halves."""
    # Set, not defaulted: the workers inherit the environment of the controller.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    os.environ["DBT_TARGET_PATH"] = str(ROOT / "target" / f"pytest-{worker}")
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"


def pytest_collection_modifyitems(items):
    """Every test that uses a database is an integration test."""
    for item in items:
        if {"db_url", "sql"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def credentialing_template(pg_admin_url, tmp_path_factory):
    """The organisation's records and one result file loaded and built, once per
    session (per worker); tests take copies of it (test_credentialing_exports.built_db)."""
    from tests.pg import make_template
    from tests.test_credentialing_exports import load_and_build

    folder = tmp_path_factory.mktemp("credentialing")
    with make_template(pg_admin_url, lambda url: load_and_build(
            folder, {"SCOREBRIDGE_DATABASE_URL": url})) as name:
        yield name


@pytest.fixture(scope="session")
def certification_template(pg_admin_url, tmp_path_factory):
    """Four small legacy_cert_* files landed and the certification marts built,
    once per session (per worker; test_certification_models.prepare)."""
    from tests.pg import make_template
    from tests.test_certification_models import prepare

    folder = tmp_path_factory.mktemp("certification")
    with make_template(pg_admin_url, lambda url: prepare(
            folder, {"SCOREBRIDGE_DATABASE_URL": url})) as name:
        yield name


def _left_running(folder: str) -> list:
    """Processes whose command line or working folder lies in the suite's temp folder,
    and gpg agents of the decryption's own temporary homes (loaders/custody/pgp.py)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "cwd"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or ())
            if proc.pid != os.getpid() and (folder in cmdline or "scorebridge-gpg-" in cmdline
                                            or (proc.info["cwd"] or "").startswith(folder)):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """The suite leaves nothing running: any PostgreSQL, gpg-agent or test server
    started under the temp folder and still alive fails the run, then is stopped."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the controller checks once, after every worker has finished
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or factory._basetemp is None:
        return
    folder = str(factory.getbasetemp())
    import psutil

    deadline = time.monotonic() + 10
    left = _left_running(folder)
    while left and time.monotonic() < deadline:  # servers shutting down get a moment
        time.sleep(0.5)
        left = _left_running(folder)
    if not left:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = []
    for proc in left:
        try:
            lines.append(f"  pid {proc.pid}: {' '.join(proc.cmdline())[:200]}")
            proc.kill()
        except psutil.NoSuchProcess:
            continue
    if reporter is not None:
        reporter.write_line("error: the suite left processes running (now killed):", red=True)
        for line in lines:
            reporter.write_line(line)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
