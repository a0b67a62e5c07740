"""PostgreSQL for the tests: a real server, a fresh database per test.

By default a pgserver (PostgreSQL 16) in a temporary folder; with
SCOREBRIDGE_TEST_DATABASE_URL set (CI's second pass), that server instead,
which must allow CREATE DATABASE.
"""

from __future__ import annotations

import os
import uuid
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


@pytest.fixture
def db_url(pg_admin_url, monkeypatch):
    """A new empty database; SCOREBRIDGE_DATABASE_URL points at it."""
    name = f"sbtest_{uuid.uuid4().hex[:12]}"
    conn = _admin(pg_admin_url)
    with conn.cursor() as cur:
        cur.execute(f"create database {name}")
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
