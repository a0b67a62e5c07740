"""The CLI contract outside tools rely on."""

import re

from typer.testing import CliRunner

from cli import app
from tests.helpers import run_cli

runner = CliRunner()
VERBS = ["fetch", "load", "build", "export", "report", "run", "status", "demo", "db",
         "trust-host", "match"]


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


def _snapshot(sql, *folders) -> tuple:
    """Every table of the database with its row count, the manifest and run log, and
    every file (name, size, mtime) under the folders."""
    tables = sql("select table_schema, table_name from information_schema.tables "
                 "where table_schema not in ('pg_catalog', 'information_schema') order by 1, 2")
    counts = [(s, t, sql(f'select count(*) from "{s}"."{t}"')[0][0]) for s, t in tables]
    files = sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                   for folder in folders for p in folder.rglob("*"))
    manifest = sql("select * from raw.file_manifest order by file_id") if tables else []
    runs = sql("select * from raw.run_log order by run_id") if tables else []
    return counts, files, manifest, runs


def test_check_lists_what_the_next_fetch_would_take_and_changes_nothing(
        tmp_path, sftp_server, sftp_folder, ftp_server, smtp_server, db_url, sql):
    from tests.helpers import write_config

    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "OLD.csv").write_text("CandidateID,EligibilityID,Result\nC1,E1,PASS\n")
    (sftp_folder / "RESULTS_1.csv").write_text("CandidateID,EligibilityID,Result\nC2,E2,FAIL\n")
    (sftp_folder / "RESULTS_2.csv.part").write_text("Candid")
    (sftp_folder / "readme.txt").write_text("not a result file\n")
    (ftp_server.root / "SCORES.csv").write_text("a,b\n1,2\n")
    config = write_config(tmp_path, [
        {"name": "kept", "format": "prometric_results", "transport": "local",
         "remote_folder": str(kept), "delete_after": False, "settle_seconds": 0},
        {"name": "vendor", "format": "prometric_results", "transport": "sftp",
         "host": sftp_server.host, "port": sftp_server.port, "user": sftp_server.user,
         "key_file": str(sftp_server.key_file), "known_hosts": str(sftp_server.known_hosts),
         "remote_folder": str(sftp_folder), "pattern": "RESULTS_*"},
        {"name": "scores", "format": "act_csv", "transport": "ftp", "host": ftp_server.host,
         "port": ftp_server.port, "user": ftp_server.user,
         "password": {"env": "SB_FTP_PASSWORD"}, "remote_folder": "."},
    ], smtp={"host": smtp_server.host, "port": smtp_server.port,
             "from": "scorebridge@example.org", "to": ["ops@example.org"]})
    env = {"SB_FTP_PASSWORD": ftp_server.password}
    fetched = run_cli("--config", str(config), "fetch", "kept", cwd=tmp_path, env=env)
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    (kept / "NEW.csv").write_text("CandidateID,EligibilityID,Result\nC3,E3,NS\n")
    (file_id,), = sql("select file_id from raw.file_manifest where original_name = 'OLD.csv'")
    log = tmp_path / "scorebridge.log"
    log_before = log.read_bytes()
    before = _snapshot(sql, tmp_path / "archive", kept, sftp_folder, ftp_server.root)

    result = run_cli("--config", str(config), "check", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()

    def size(path):
        return f"({path.stat().st_size} bytes)"

    assert "problem:" not in result.stdout
    assert (f"  would skip OLD.csv {size(kept / 'OLD.csv')}: already received as file "
            f"{file_id} (kept on the server, delete_after: false)") in lines
    assert f"  would take NEW.csv {size(kept / 'NEW.csv')}: new" in lines
    assert any(line.startswith(f"source vendor (sftp 127.0.0.1:{sftp_server.port}, folder ")
               and line.endswith("host key known, logged in; 3 file(s) listed") for line in lines)
    assert f"  would take RESULTS_1.csv {size(sftp_folder / 'RESULTS_1.csv')}: new" in lines
    assert "  would wait for RESULTS_2.csv.part (6 bytes): still being written" in lines
    assert "  1 other file(s) do not match the pattern 'RESULTS_*'" in lines
    assert f"  would take SCORES.csv {size(ftp_server.root / 'SCORES.csv')}: new" in lines
    assert f"smtp 127.0.0.1:{smtp_server.port}: connected; no mail sent" in lines
    assert any(line.startswith("database ") and "the manifest holds 1 file(s)" in line
               for line in lines)
    assert smtp_server.messages == []
    assert _snapshot(sql, tmp_path / "archive", kept, sftp_folder, ftp_server.root) == before
    assert log.read_bytes() == log_before


def test_check_on_an_empty_database_creates_nothing(tmp_path, db_url, sql):
    from tests.helpers import write_config

    config = write_config(tmp_path, [])
    result = run_cli("--config", str(config), "check", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no manifest yet" in result.stdout
    assert sql("select nspname from pg_namespace where nspname in ('raw', 'ops')") == []


def test_check_gives_one_line_per_problem_and_exit_1(tmp_path, sftp_server, sftp_folder,
                                                     ftp_server):
    from tests.helpers import write_config
    from tests.servers import free_port

    empty_known_hosts = tmp_path / "known_hosts"
    empty_known_hosts.write_text("")
    sftp = {"format": "act_csv", "transport": "sftp", "host": sftp_server.host,
            "port": sftp_server.port, "remote_folder": str(sftp_folder)}
    config = write_config(tmp_path, [
        {"name": "stranger", **sftp, "user": sftp_server.user,
         "key_file": str(sftp_server.key_file), "known_hosts": str(empty_known_hosts)},
        {"name": "badpass", **sftp, "user": sftp_server.password_user,
         "password": {"env": "SB_WRONG"}, "known_hosts": str(sftp_server.known_hosts)},
        {"name": "nofolder", "format": "act_csv", "transport": "ftp", "host": ftp_server.host,
         "port": ftp_server.port, "user": ftp_server.user,
         "password": {"env": "SB_FTP_PASSWORD"}, "remote_folder": "missing"},
    ], smtp={"host": "127.0.0.1", "port": free_port(), "to": ["ops@example.org"]})
    env = {"SB_WRONG": "not-the-password-xyz", "SB_FTP_PASSWORD": ftp_server.password,
           "SCOREBRIDGE_DATABASE_URL": "postgresql://alice:pa55word-xyz@127.0.0.1:1/sb"}
    result = run_cli("--config", str(config), "check", cwd=tmp_path, env=env)
    assert result.returncode == 1
    problems = [line for line in result.stdout.splitlines() if line.startswith("problem: ")]
    assert len(problems) == 5, result.stdout
    assert problems[0].startswith("problem: database: cannot connect to PostgreSQL at "
                                  "alice@127.0.0.1:1/sb")
    assert problems[1].startswith("problem: smtp 127.0.0.1:") and "cannot connect" in problems[1]
    assert problems[2].startswith("problem: stranger: ") and "unknown host key" in problems[2]
    assert problems[3] == (f"problem: badpass: sftp 127.0.0.1:{sftp_server.port}: "
                           f"authentication failed for user {sftp_server.password_user}")
    assert problems[4].startswith(f"problem: nofolder: ftp 127.0.0.1:{ftp_server.port}: "
                                  "cannot list missing: 550")
    assert result.stderr.strip() == "error: check found 5 problem(s)"
    assert "pa55word" not in result.stdout + result.stderr
    assert "not-the-password" not in result.stdout + result.stderr
