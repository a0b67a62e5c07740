"""The certification migration runner: `migrate certifications [--check]`, `migrate status`,
`export certifications` (docs/certification-migration.md).

The small template (conftest.certification_template) has four handwritten
files; the generated one (generated_template, below) has a catalogue and
20,000 registrations, so publishing takes a couple of hundred batches: a run
is killed mid-way, resumed, and must end as an uninterrupted run on a copy
of the same database does.
"""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import subprocess
import sys
import time

import psycopg2
import pytest

from tests.helpers import ROOT, run_cli
from tests.test_certification_models import REGISTRATIONS_2, load, ok

TABLES = {"programs": "program_code", "components": "component_code",
          "program_requirements": "program_code, component_code", "enrollments": "seqn"}


def contents(sql) -> dict:
    """Each published table as its rows in key order."""
    return {t: sql(f"select * from certification.{t} order by {k}") for t, k in TABLES.items()}


def marts(sql) -> dict:
    cols = {t: ", ".join(c[0] for c in sql(
        "select column_name from information_schema.columns where table_schema = "
        "'certification' and table_name = %s order by ordinal_position", (t,)))
        for t in TABLES}
    mart = {"programs": "mart_cert_programs", "components": "mart_cert_components",
            "program_requirements": "mart_cert_program_requirements",
            "enrollments": "mart_cert_enrollments"}
    return {t: sql(f"select {cols[t]} from marts.{mart[t]} order by {k}")
            for t, k in TABLES.items()}


@pytest.mark.db_from("certification_template")
def test_migrate_publishes_the_marts_reports_its_status_and_a_second_run_changes_nothing(
        sql, tmp_path):
    assert contents(sql)["enrollments"] == []
    first = ok(run_cli("migrate", "certifications", cwd=tmp_path, timeout=600))
    assert "migration 1 published: 2 programs, 3 components, 3 program requirements, " \
           "4 enrollments; 1 warning(s)" in first.stdout, first.stdout
    published = contents(sql)
    assert published == marts(sql)
    assert [r[0] for r in published["enrollments"]] == ["1001", "1002", "1003", "56789"]
    status = ok(run_cli("migrate", "status", cwd=tmp_path)).stdout
    assert "migration 1: published" in status and "1/1 batches" in status, status
    assert "4 enrollment(s) published, 0 error(s), 1 warning(s)" in status, status

    again = ok(run_cli("migrate", "certifications", cwd=tmp_path, timeout=600))
    assert "migration 1 already published these inputs: nothing to do" in again.stdout
    assert contents(sql) == published
    assert sql("select count(*) from ops.cert_migrations") == [(1,)]


@pytest.mark.db_from("certification_template")
def test_errors_stop_it_before_anything_is_published_and_check_lists_them_all(sql, tmp_path):
    ok(run_cli("migrate", "certifications", cwd=tmp_path, timeout=600))
    before = contents(sql)
    load(tmp_path, "legacy_cert_registrations", "registrations_2.csv", REGISTRATIONS_2)

    checked = run_cli("migrate", "certifications", "--check", cwd=tmp_path, timeout=600)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    for line, kind in ((3, "unknown_program"), (4, "duplicate_seqn"), (5, "duplicate_seqn"),
                       (6, "completed_before_registered")):
        assert f"error {kind} (registrations_2.csv:{line})" in checked.stderr, checked.stderr
    assert "4 error(s), 1 warning(s)" in checked.stdout  # 56789: component not in program
    assert sql("select count(*) from ops.cert_migrations") == [(1,)]  # a check records none

    stopped = run_cli("migrate", "certifications", cwd=tmp_path, timeout=600)
    assert stopped.returncode == 1
    assert "4 error(s) in the legacy data, nothing published (migration 2 stopped)" \
        in stopped.stderr, stopped.stderr
    assert "error unknown_program (registrations_2.csv:3): Registration for component " \
           '"C1", student id "109" and program "PZ" (SEQN 1009), but there is no such ' \
           "program." in stopped.stderr
    assert contents(sql) == before
    assert sql("select phase, errors from ops.cert_migrations order by 1") == [
        ("published", 0), ("stopped", 4)]
    assert "migration 2: stopped" in ok(run_cli("migrate", "status", cwd=tmp_path)).stdout


def test_without_the_extracts_it_says_what_to_load(db_url, tmp_path):
    result = run_cli("migrate", "certifications", cwd=tmp_path)
    assert result.returncode == 1
    assert "no landed file of legacy_cert_programs, legacy_cert_components, " \
           "legacy_cert_program_components, legacy_cert_registrations" in result.stderr


@pytest.mark.db_from("certification_template")
def test_export_writes_the_four_import_files_and_records_them(sql, tmp_path):
    refused = run_cli("export", "certifications", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert refused.returncode == 1 and "no published certification migration" in refused.stderr
    ok(run_cli("migrate", "certifications", cwd=tmp_path, timeout=600))
    result = ok(run_cli("export", "certifications", "--out", str(tmp_path / "out"),
                        cwd=tmp_path))
    folder = tmp_path / "out" / "certifications_1"
    assert f"{folder / 'enrollments.csv'}: 4 rows" in result.stdout, result.stdout
    files = {t: list(csv.reader((folder / f"{t}.csv").open(encoding="utf-8")))
             for t in TABLES}
    assert files["enrollments"][0] == ["seqn", "student_id", "program_code", "component_code",
                                       "registered_on", "status", "completed_on", "grade",
                                       "credits"]
    assert files["enrollments"][1:] == [
        ["1001", "101", "PA", "C1", "2024-01-10", "Completed", "2024-02-20", "A", "2"],
        ["1002", "101", "PA", "C2", "2024-03-01", "Registered", "", "", ""],
        ["1003", "102", "PB", "C1", "2023-09-01", "Registered", "", "", ""],
        ["56789", "101", "PA", "ABC", "2024-01-10", "Completed", "2024-02-01", "B", "1.5"]]
    assert files["programs"][1][3:] == ["true", "false"]
    assert files["components"][1] == ["ABC", "Ethics", "Address: 12 Main St\nInstructors: "
                                      "Wei Nguyen", "1.5", "false", "true"]
    assert files["program_requirements"][1:] == [
        ["PA", "C1", "true", "10", "false"], ["PA", "C2", "false", "20", "false"],
        ["PB", "C1", "true", "10", "false"]]
    recorded = sql("select migration_id, enrollments_file, enrollments_sha256, enrollments_rows, "
                   "programs_rows from ops.cert_exports")
    digest = hashlib.sha256((folder / "enrollments.csv").read_bytes()).hexdigest()
    assert recorded == [(1, str(folder / "enrollments.csv"), digest, 4, 2)]


# -- killed mid-way ------------------------------------------------------------------------
REGISTRATIONS = 20_000
BATCH = 100


@pytest.fixture(scope="module")
def generated_template(pg_admin_url, tmp_path_factory):
    from loaders.devtools.generate import generate, generate_cert_catalogue
    from tests.pg import make_template

    folder = tmp_path_factory.mktemp("cert-generated")
    catalogue = generate_cert_catalogue(30, 120, seed=3)
    files = {}
    for fmt, n in (("legacy_cert_programs", 30), ("legacy_cert_components", 120),
                   ("legacy_cert_program_components", 1000),
                   ("legacy_cert_registrations", REGISTRATIONS)):
        files[fmt] = generate(fmt, folder / f"{fmt}.csv", n, catalogue=catalogue, seed=3)

    def prepare(url: str) -> None:
        for fmt, path in files.items():
            ok(run_cli("load", fmt, str(path), cwd=folder,
                       env={"SCOREBRIDGE_DATABASE_URL": url}))

    with make_template(pg_admin_url, prepare) as name:
        yield name


def copy_database(admin_url: str, template: str, name: str) -> str:
    from tests.pg import with_dbname

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"drop database if exists {name} with (force)")
        cur.execute(f"create database {name} template {template}")
    conn.close()
    return with_dbname(admin_url, name)


def batches_done(url: str) -> tuple[str | None, int, int]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("select to_regclass('ops.cert_migrations') is not null")
            if not cur.fetchone()[0]:
                return None, 0, 0
            cur.execute("select phase, batches_done, coalesce(batches_total, 0) "
                        "from ops.cert_migrations order by migration_id desc limit 1")
            row = cur.fetchone()
            return row if row else (None, 0, 0)
    finally:
        conn.close()


@pytest.mark.db_from("generated_template")
def test_killed_mid_way_it_resumes_and_ends_as_an_uninterrupted_run(
        sql, db_url, pg_admin_url, generated_template, tmp_path):
    from tests.pg import worker_database_name

    env = dict(os.environ, SCOREBRIDGE_STATE_DIR=str(tmp_path / ".state"))
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "--quiet", "migrate",
                             "certifications", "--batch-size", str(BATCH)], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    killed_at = None
    while time.monotonic() < deadline and proc.poll() is None:
        phase, done, total = batches_done(db_url)
        if phase == "publishing" and total and done >= total // 3:
            os.killpg(proc.pid, signal.SIGKILL)
            killed_at = (done, total)
            break
        time.sleep(0.01)
    proc.wait()
    assert killed_at is not None, ("the run ended before it could be killed",
                                   proc.stderr.read().decode()[-2000:])
    phase, done, total = batches_done(db_url)
    assert phase == "publishing" and killed_at[0] <= done < total, (phase, done, total)
    assert contents(sql)["enrollments"] == []  # nothing half-published is visible

    resumed = ok(run_cli("migrate", "certifications", "--batch-size", str(BATCH),
                         cwd=tmp_path, timeout=600))
    assert "(resumed)" in resumed.stdout, resumed.stdout
    assert sql("select phase, batches_done = batches_total, rows_published from "
               "ops.cert_migrations") == [("published", True, len(contents(sql)["enrollments"]))]
    # Each batch was published once: no batch row done twice, none left.
    assert sql("select count(*), count(done_at) from ops.cert_migration_batches") == [
        (total, total)]

    other = copy_database(pg_admin_url, generated_template, worker_database_name() + "_b")
    try:
        ok(run_cli("migrate", "certifications", "--batch-size", str(BATCH), cwd=tmp_path,
                   env={"SCOREBRIDGE_DATABASE_URL": other}, timeout=600))
        conn = psycopg2.connect(other)
        conn.autocommit = True

        def other_sql(query, args=()):
            with conn.cursor() as cur:
                cur.execute(query, args)
                return cur.fetchall()

        uninterrupted = contents(other_sql)
        conn.close()
    finally:
        admin = psycopg2.connect(pg_admin_url)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f"drop database if exists {worker_database_name()}_b with (force)")
        admin.close()
    resumed_tables = contents(sql)
    assert len(resumed_tables["enrollments"]) > REGISTRATIONS * 0.9
    assert resumed_tables == uninterrupted
