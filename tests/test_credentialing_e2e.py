"""End to end: result files on a real SFTP server, `run`, then everything a person checks.

Statuses, anomalies, the status history, the one email, `status` and the report
come from the real models; a rerun, and the same file delivered again under
another name, change nothing.
"""

from __future__ import annotations

import csv

from tests.helpers import run_cli, write_config
from tests.test_credentialing_exports import RESULTS, ok, write_inputs


def mail_body(message) -> str:
    return message.get_body().get_content() if message.is_multipart() else \
        message.get_payload(decode=True).decode()


def snapshot(sql, exclude=()) -> dict[str, list]:
    tables = [r[0] for r in sql("select table_name from information_schema.tables "
                                "where table_schema = 'marts' order by 1")]
    return {t: sorted(map(repr, sql(f"select * from marts.{t}"))) for t in tables
            if t not in exclude}


def test_results_over_sftp_run_statuses_anomalies_email_report_and_reruns(
        tmp_path, sftp_server, sftp_folder, smtp_server, sql):
    inputs = write_inputs(tmp_path / "records")
    ok(run_cli("load", "persons", str(inputs["persons"]), cwd=tmp_path))
    ok(run_cli("load", "applications", str(inputs["applications"]), cwd=tmp_path))
    (sftp_folder / "RESULTS_ASSOC_20260215.csv").write_text(RESULTS)
    config = write_config(tmp_path, [{
        "name": "prometric", "format": "prometric_results", "transport": "sftp",
        "host": sftp_server.host, "port": sftp_server.port, "user": sftp_server.user,
        "key_file": str(sftp_server.key_file), "known_hosts": str(sftp_server.known_hosts),
        "remote_folder": str(sftp_folder), "pattern": "RESULTS_*.csv", "settle_seconds": 0,
        "expect_every": "1d"}],
        smtp={"host": smtp_server.host, "port": smtp_server.port,
              "from": "scorebridge@example.org", "to": ["certification@example.org"]})

    run = ok(run_cli("--config", str(config), "run", cwd=tmp_path, timeout=900))
    assert "prometric: 1 file(s) received, 7 row(s) landed" in run.stdout
    assert "dbt build: ok" in run.stdout
    assert list(sftp_folder.iterdir()) == []  # archived, then removed from the server
    (file_id,), = sql("select file_id from raw.file_manifest where status = 'landed' "
                     "and format = 'prometric_results'")

    # Statuses: decided by the results that match a Pending application.
    status = dict(sql("select application_id, current_status from marts.mart_application_status"))
    assert {k: status[k] for k in ("A1", "A2", "A6", "A8")} == {
        "A1": "Passed", "A2": "Failed", "A6": "No-show", "A8": "Passed"}
    assert status["A3"] == status["A4"] == status["A9"] == "Pending"  # A3's row is bad
    assert status["A7"] == "Withdrawn" and status["A5"] == "Failed"
    history = sql("select application_id, from_status, to_status, result_id is not null, "
                  "file_id, rule is not null from marts.fct_application_status_history "
                  "where status_source = 'result' order by application_id")
    assert history == [(a, "Pending", s, True, file_id, True) for a, s in
                       (("A1", "Passed"), ("A2", "Failed"), ("A6", "No-show"),
                        ("A8", "Passed"))]

    # Anomalies: the result naming no application and the one for a withdrawn application.
    anomalies = sql("select candidate_id, anomaly_type, explanation, file_id, line_number "
                    "from marts.mart_result_anomalies order by line_number")
    assert {(c, line) for c, _, _, _, line in anomalies} >= {("P9", 6), ("P1", 7)}
    assert all(explanation and f == file_id for _, _, explanation, f, _ in anomalies)
    errors = sql("select line_number, field from marts.mart_result_errors")
    assert {line for line, _ in errors} == {8}  # the bad row, and nothing else

    # One email, counting the anomalies by type, as the run printed them.
    counts = dict(sql("select anomaly_type, count(*)::int from marts.mart_result_anomalies "
                      "group by 1 order by 1"))
    by_type = "Results that need a person, by type: " + ", ".join(
        f"{kind} {n}" for kind, n in counts.items())
    assert len(smtp_server.messages) == 1
    assert by_type in mail_body(smtp_server.messages[0]) and by_type in run.stdout
    shown = ok(run_cli("--config", str(config), "status", cwd=tmp_path))
    assert all(kind in shown.stdout for kind in counts)

    # The report: the HTML page and a CSV of every mart, with the marts' rows.
    from loaders.core.context import open_context
    from loaders.reporting.report import write_report

    ctx = open_context(config, quiet=True)
    try:
        paths = write_report(ctx, tmp_path / "reports")
    finally:
        ctx.conn.close()
    assert paths[0].name == "report.html" and paths[0].stat().st_size > 0
    with open(tmp_path / "reports" / "fct_exam_results.csv", newline="") as f:
        results = list(csv.DictReader(f))
    assert sorted(r["result_id"] for r in results) == sorted(
        str(r[0]) for r in sql("select result_id from marts.fct_exam_results"))

    # Rerun: nothing new on the server, nothing changes.
    before = snapshot(sql)
    again = ok(run_cli("--config", str(config), "run", cwd=tmp_path, timeout=900))
    assert "prometric: 0 file(s) received, 0 row(s) landed" in again.stdout
    assert snapshot(sql) == before
    assert len(smtp_server.messages) == 2

    # The same file again under another name: a duplicate, landed once, decided once.
    (sftp_folder / "RESULTS_ASSOC_20260216.csv").write_text(RESULTS)
    dup = ok(run_cli("--config", str(config), "run", cwd=tmp_path, timeout=900))
    assert "1 duplicate" in dup.stdout
    assert list(sftp_folder.iterdir()) == []
    assert snapshot(sql, exclude={"mart_load_audit"}) == {
        t: rows for t, rows in before.items() if t != "mart_load_audit"}


HEADER = RESULTS.splitlines()[0]


def test_a_result_file_without_a_required_column_is_quarantined_naming_it(tmp_path, sql):
    """Each of CandidateID, EligibilityID, ExamCode, TestDate and Result is required
    in the header: a file without one lands no row, its reason names the column."""
    columns = HEADER.split(",")
    rows = [line.split(",") for line in RESULTS.splitlines()[1:3]]
    required = ["CandidateID", "EligibilityID", "ExamCode", "TestDate", "Result"]
    for name in required:
        keep = [i for i, c in enumerate(columns) if c != name]
        path = tmp_path / f"RESULTS_NO_{name}.csv"
        path.write_text("\n".join(",".join(r[i] for i in keep) for r in [columns, *rows]) + "\n")
        run_cli("load", "prometric_results", str(path), cwd=tmp_path)
    got = dict(sql("select original_name, quarantine_reason from raw.file_manifest "
                   "where status = 'quarantined'"))
    assert sorted(got) == sorted(f"RESULTS_NO_{n}.csv" for n in required)
    for name in required:
        assert got[f"RESULTS_NO_{name}.csv"].startswith(
            f"header lacks the required column(s) {name} of prometric_results")
    assert sql("select count(*) from raw.prometric_results") == [(0,)]


def test_future_test_dates_and_overlong_values_are_error_rows(tmp_path, sql):
    """A test date after today, and a value longer than its limit (max_length in
    seeds/layouts/layout_columns.csv), are error rows; the file's good line is a result."""
    long_name = "L" * 61
    path = tmp_path / "RESULTS_ASSOC_20260301.csv"
    path.write_text(HEADER + "\n" + "\n".join([
        "P1,A1,Able,Ann,CPA,2026-02-10,TC01,82,70,PASS,2026-02-12",
        "P2,A2,Cmd,Bob,CPA,2999-01-01,TC01,55,70,FAIL,2026-02-13",
        f"P5,A6,{long_name},Eva,CPA,2026-02-12,,,70,NS,2026-02-14",
        "P4,A8,O'Neil,Di,CMA,2025-11-20,TC02,91,70,P,2025-11-22",
    ]) + "\n")
    ok(run_cli("load", "prometric_results", str(path), cwd=tmp_path))
    ok(run_cli("build", "--select", "+mart_result_errors +mart_result_anomalies +fct_exam_results",
               cwd=tmp_path, timeout=900))
    errors = sql("select line_number, field, field_value, reason from marts.mart_result_errors "
                 "order by line_number")
    assert errors == [
        (3, "TestDate", "2999-01-01", "test date in the future"),
        (4, "LastName", long_name,
         "61 characters, longer than the limit of 60 (max_length in layout_columns)"),
    ]
    lines = sorted(r[0] for r in sql("select line_number from marts.fct_exam_results"))
    assert lines == [2, 5]
