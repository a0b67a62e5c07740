"""Problems reach a person through the scheduled job: `run`'s email and `status`
list the open problems per file, the new apart from those still open.

Apart from tests/test_problems.py (whose tests share one built template) because
this test starts from an empty database and runs two whole jobs: in a module of
its own, the other xdist worker can take it (make test runs --dist loadscope).
"""

from __future__ import annotations

from tests.helpers import run_cli
from tests.test_credentialing_exports import write_inputs
from tests.test_problems import ok, one_id

# A later delivery with a result no application matches: a new problem.
LATER = ("CandidateID,EligibilityID,LastName,FirstName,ExamCode,TestDate,TestCenter,Score,"
         "PassingScore,Result,ResultDate\n"
         "P8,E405,Late,Lou,CPA,2026-03-02,TC01,88,70,PASS,2026-03-04\n")


def mail_body(message) -> str:
    return message.get_body().get_content() if message.is_multipart() else \
        message.get_payload(decode=True).decode()


def test_run_email_and_status_list_open_problems_per_file_new_apart_from_still_open(
        tmp_path, smtp_server, sql):
    from tests.helpers import write_config

    paths = write_inputs(tmp_path / "org")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / paths["prometric_results"].name).write_text(paths["prometric_results"].read_text())
    config = str(write_config(tmp_path, [
        {"name": "prometric", "format": "prometric_results", "transport": "local",
         "remote_folder": str(inbox), "settle_seconds": 0}],
        smtp={"host": smtp_server.host, "port": smtp_server.port,
              "from": "scorebridge@example.org", "to": ["exams@example.org"]}))
    for fmt in ("persons", "applications"):
        ok(run_cli("--config", config, "load", fmt, str(paths[fmt]), cwd=tmp_path))

    ok(run_cli("--config", config, "run", cwd=tmp_path, timeout=900))
    first = mail_body(smtp_server.messages[-1])
    (open_1,), = sql("select count(*) from marts.mart_problems where status = 'open'")
    assert open_1 >= 3
    assert f"Problems that need a person: {open_1} open ({open_1} new since the last run, " \
           "0 still open)" in first
    assert f"  RESULTS_ASSOC_20260215.csv (new, credentialing): {open_1} open" in first
    unmatched = one_id(sql, "no_matching_application")
    assert (f"    line 6 no_matching_application: No application matches: EligibilityID E404 "
            f"is unknown and candidate P9 has no single Pending application for CPA. "
            f"[{unmatched}]") in first
    assert "line 7 application_not_pending: Application A7 is already Withdrawn" in first
    assert "need attention" in smtp_server.messages[-1]["Subject"]

    ok(run_cli("--config", config, "handle", unmatched, "--note", "Asked the vendor",
               cwd=tmp_path))
    (inbox / "RESULTS_ASSOC_20260305.csv").write_text(LATER)
    ok(run_cli("--config", config, "run", cwd=tmp_path, timeout=900))
    second = mail_body(smtp_server.messages[-1])
    assert len(smtp_server.messages) == 2
    # The handled one is not repeated; the old file's others are still open; the new file's
    # problem is new.
    assert "E404" not in second and unmatched not in second
    assert (f"Problems that need a person: {open_1} open (1 new since the last run, "
            f"{open_1 - 1} still open), 1 handled") in second
    assert "  RESULTS_ASSOC_20260305.csv (new, credentialing): 1 open" in second
    assert f"  RESULTS_ASSOC_20260215.csv (credentialing): {open_1 - 1} open" in second
    assert "line 2 no_matching_application: No application matches: EligibilityID E405" in second
    # An error row names its field and value.
    assert "line 8 result_error (Result 'MAYBE'): " in second
    (counts,), = sql("select counts from raw.run_log where verb = 'run' order by run_id desc "
                     "limit 1")
    assert (counts["problems_open"], counts["problems_new"]) == (open_1, 1)

    status = ok(run_cli("--config", config, "status", cwd=tmp_path))
    assert (f"Problems that need a person: {open_1} open (1 new since the last run, "
            f"{open_1 - 1} still open), 1 handled") in status.stdout
    assert "line 2 no_matching_application: No application matches: EligibilityID E405" \
        in status.stdout
    assert "E404" not in status.stdout.split("Problems that need a person")[1]
