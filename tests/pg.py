"""PostgreSQL for the tests: a real server, a fresh database per test.

By default a pgserver (PostgreSQL 16) in a temporary folder; with
SCOREBRIDGE_TEST_DATABASE_URL set (CI's second pass), that server instead,
which must allow CREATE DATABASE.

Loading files and building the models costs seconds per test, so a set of
tests that start from the same loaded and built data shares a template: it is
prepared once (`make_template`), and each test gets its own copy
(`CREATE DATABASE ... TEMPLATE`, a fraction of a second) by marking itself
``@pytest.mark.db_from("<template fixture>")``; its `db_url` and `sql` then
point at the copy.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest


def with_dbname(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory):
    url = os.environ.get("SCOREBRIDGE_TEST_DATABASE_URL")
    if url:
        yield url
        return
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()


def _admin(url: str):
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


def worker_database_name() -> str:
    """One name per worker, reused by each test in turn (dropped after each): dbt
    reparses the whole project when its connection changes, and a new name per
    test would cost every dbt call a full parse (5 s) instead of a partial one."""
    return f"sbtest_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


@contextmanager
def make_template(admin_url: str, prepare: Callable[[str], None]) -> Iterator[str]:
    """A database prepared once by ``prepare(url)``, to be copied by tests; its name."""
    name = f"sbtpl_{uuid.uuid4().hex[:12]}"
    conn = _admin(admin_url)
    with conn.cursor() as cur:
        cur.execute(f"create database {name}")
    try:
        prepare(with_dbname(admin_url, name))
        yield name
    finally:
        with conn.cursor() as cur:
            cur.execute(f"drop database if exists {name} with (force)")
        conn.close()


@pytest.fixture
def db_url(request, pg_admin_url, monkeypatch):
    """A new database, empty or a copy of the template the test is marked with
    (``db_from``); SCOREBRIDGE_DATABASE_URL points at it."""
    marker = request.node.get_closest_marker("db_from")
    template = request.getfixturevalue(marker.args[0]) if marker else None
    name = worker_database_name()
    conn = _admin(pg_admin_url)
    with conn.cursor() as cur:
        cur.execute(f"drop database if exists {name} with (force)")
        cur.execute(f"create database {name}" + (f" template {template}" if template else ""))
    url = with_dbname(pg_admin_url, name)
    monkeypatch.setenv("SCOREBRIDGE_DATABASE_URL", url)
    yield url
    with conn.cursor() as cur:
        cur.execute(f"drop database if exists {name} with (force)")
    conn.close()


@pytest.fixture
def sql(db_url):
    """Runs one query against the test database and returns all rows."""
    import psycopg2

    conn = psycopg2.connect(db_url)
    conn.autocommit = True

    def run(query: str, args: tuple = ()):
        with conn.cursor() as cur:
            cur.execute(query, args)
            return cur.fetchall() if cur.description else []

    yield run
    conn.close()
