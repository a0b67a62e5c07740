"""The CLI contract outside tools rely on."""

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
