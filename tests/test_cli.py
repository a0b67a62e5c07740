"""The CLI contract outside tools rely on."""

import re

from typer.testing import CliRunner

from cli import app
from tests.helpers import run_cli

runner = CliRunner()
VERBS = ["fetch", "load", "build", "export", "report", "run", "status", "demo", "db",
         "trust-host"]


def test_help_lists_the_contract_verbs():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for verb in VERBS:
        assert f" {verb} " in result.output, verb


def test_version_is_eager():
    result = runner.invoke(app, ["--version", "status"])
    assert result.exit_code == 0 and result.output.startswith("scorebridge ")


def test_db_url_hides_the_password(tmp_path):
    env = {"SCOREBRIDGE_DATABASE_URL": "postgresql://alice:pa55word-xyz@db.example:5433/sb"}
    result = run_cli("db", "url", cwd=tmp_path, env=env)
    assert result.returncode == 0
    assert result.stdout.strip() == "postgresql://alice:***@db.example:5433/sb"


def test_unreachable_database_is_one_clear_line(tmp_path):
    env = {"SCOREBRIDGE_DATABASE_URL": "postgresql://alice:pa55word-xyz@127.0.0.1:1/sb"}
    result = run_cli("status", cwd=tmp_path, env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: cannot connect to PostgreSQL at alice@127.0.0.1:1/sb")
    assert "pa55word" not in result.stderr + result.stdout


def test_bad_config_is_one_line_naming_the_key(tmp_path):
    (tmp_path / "scorebridge.yml").write_text(
        "sources:\n  - name: act\n    format: act_csv\n    transport: sftp\n"
        "    host: h\n    known_hosts: kh\n    password: hunter2\n")
    result = run_cli("fetch", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: sources[act].password: secrets are given by reference, "
        "{env: NAME} or {file: PATH}, never inline")


def test_dbt_parse_starts_no_database(tmp_path, monkeypatch):
    """`make lint` runs `dbt parse`: it needs no server, and must leave none running."""
    monkeypatch.delenv("SCOREBRIDGE_DATABASE_URL", raising=False)
    result = run_cli("dbt", "parse", cwd=tmp_path, env={"SCOREBRIDGE_STATE_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert not (tmp_path / "pgdata").exists()


def test_build_shows_progress_keeps_dbt_lines_in_the_log_and_shows_a_failure(
        tmp_path, db_url, sql):
    from tests.helpers import write_config

    config = str(write_config(tmp_path, []))
    log = tmp_path / "scorebridge.log"
    select = ("--select", "stg_raw__run_log")
    plain = run_cli("--config", config, "build", *select, cwd=tmp_path)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    terminal = plain.stdout + plain.stderr
    # dbt's own lines (its node lines, its banner) are in the log file, not on the terminal.
    node = re.compile(r"\d+ of \d+ START sql view model staging\.stg_raw__run_log")
    assert node.search(log.read_text()) and "Running with dbt=" in log.read_text()
    assert "START sql" not in terminal and "Running with dbt=" not in terminal
    assert re.search(r"dbt build: Done\. PASS=\d+ WARN=0 ERROR=0 SKIP=0", terminal), terminal

    verbose = run_cli("--config", config, "--verbose", "build", *select, cwd=tmp_path)
    assert verbose.returncode == 0, verbose.stdout + verbose.stderr
    assert node.search(verbose.stderr), verbose.stderr

    sql("drop table raw.prometric_results")
    failed = run_cli("--config", config, "build", "--select", "stg_credentialing__results",
                     cwd=tmp_path)
    assert failed.returncode == 1
    # The failing node and the database's message, on the terminal, without dbt's chatter.
    assert "Database Error in model stg_credentialing__results" in failed.stderr
    assert 'relation "raw.prometric_results" does not exist' in failed.stderr
    assert "START sql" not in failed.stderr
    assert failed.stderr.strip().splitlines()[-1] == (
        f"error: dbt build failed (the failing nodes are above; dbt's whole output is in "
        f"{log})")
    assert sql("select verb, status, message from raw.run_log order by run_id") == [
        ("build", "ok", None), ("build", "ok", None), ("build", "failed", "dbt build failed")]
