"""The scheduled job: fetch, land, build, one email; status; secrets never leak."""

import pytest

from tests.helpers import run_cli, write_config

RESULTS = "CandidateID,EligibilityID,Result\nC1,E1,PASS\nC2,E2,FAIL\nC3,E3,NS\n"


@pytest.fixture
def job(tmp_path, smtp_server):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "act-inbox").mkdir()
    (inbox / "RESULTS_A_20260110.csv").write_text(RESULTS)
    config = write_config(tmp_path, [
        {"name": "prometric", "format": "prometric_results", "transport": "local",
         "remote_folder": str(inbox), "settle_seconds": 0, "expect_every": "1d"},
        {"name": "act", "format": "act_csv", "transport": "local",
         "remote_folder": str(tmp_path / "act-inbox"), "settle_seconds": 0,
         "expect_every": "3d"},
    ], smtp={"host": smtp_server.host, "port": smtp_server.port,
             "from": "scorebridge@example.org", "to": ["ops@example.org"]})
    return tmp_path, config


def test_run_fetches_builds_and_sends_one_email(job, smtp_server, sql):
    tmp_path, config = job
    result = run_cli("--config", str(config), "run", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "prometric: 1 file(s) received, 3 row(s) landed" in result.stdout
    assert "did not receive act files" in result.stdout
    assert "dbt build: ok" in result.stdout
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    body = mail.get_payload(decode=True).decode() if not mail.is_multipart() else \
        mail.get_body().get_content()
    assert mail["To"] == "ops@example.org"
    assert "prometric: 1 file(s) received, 3 row(s) landed" in body
    assert "did not receive act files: none received yet (expected every 3d)" in body
    assert "did not receive prometric" not in body
    (verb, status, received, rows), = sql(
        "select verb, status, (counts->>'files_received')::int, (counts->>'rows_landed')::int "
        "from raw.run_log")
    assert (verb, status, received, rows) == ("run", "ok", 1, 3)
    audit = sql("select file_name, status, rows_landed from marts.mart_load_audit")
    assert audit == [("RESULTS_A_20260110.csv", "landed", 3)]
    status = run_cli("--config", str(config), "status", cwd=tmp_path)
    assert status.returncode == 0
    assert "RESULTS_A_20260110.csv" in status.stdout and "did not receive act" in status.stdout


def test_secret_never_appears_in_output_logs_or_tables(tmp_path, sftp_server, db_url, sql):
    secret = "Tr0ub4dor&3-never-print-me"
    config = write_config(tmp_path, [{
        "name": "vendor", "format": "act_csv", "transport": "sftp",
        "host": sftp_server.host, "port": sftp_server.port, "user": sftp_server.password_user,
        "password": {"env": "SB_VENDOR_PASSWORD"}, "known_hosts": str(sftp_server.known_hosts),
        "remote_folder": str(sftp_server.root)}])
    result = run_cli("--config", str(config), "fetch", cwd=tmp_path,
                     env={"SB_VENDOR_PASSWORD": secret})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: run ")
    assert "authentication failed" in result.stderr
    written = [result.stdout, result.stderr]
    written += [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    written += [str(row) for row in sql("select * from raw.run_log")]
    written += [str(row) for row in sql("select * from raw.file_manifest")]
    assert written and all(secret not in text for text in written)


def test_one_source_failing_never_stops_the_others(tmp_path, sql):
    """A source whose inbox is gone (an error custody did not foresee) is counted,
    the other sources are fetched and landed, and the command ends non-zero with
    one line that counts what failed."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "RESULTS_A_20260110.csv").write_text(RESULTS)
    config = write_config(tmp_path, [
        {"name": "gone", "format": "persons", "transport": "local",
         "remote_folder": str(tmp_path / "no-such-inbox"), "settle_seconds": 0},
        {"name": "prometric", "format": "prometric_results", "transport": "local",
         "remote_folder": str(inbox), "settle_seconds": 0},
    ])
    result = run_cli("--config", str(config), "run", "--skip-build", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: run ") and last.endswith(
        "partial: 1 source failed: see `python cli.py status`"), last
    assert "no-such-inbox" in result.stdout + result.stderr
    assert sql("select source, original_name, status from raw.file_manifest") == [
        ("prometric", "RESULTS_A_20260110.csv", "landed")]
    assert sql("select count(*) from raw.prometric_results") == [(3,)]
    assert sql("select status, (counts->>'sources_failed')::int from raw.run_log") == [
        ("partial", 1)]
