"""`demo`: the whole job on generated files from a local inbox, twice."""

import re

from loaders.devtools.demo import DEMO_MISTAKES, DEMO_SOURCES
from tests.helpers import run_cli


def test_demo_runs_the_whole_job_and_a_second_run_receives_new_files(tmp_path, sql):
    state = {"SCOREBRIDGE_STATE_DIR": str(tmp_path / ".state")}
    first = run_cli("demo", "--records", "30", cwd=tmp_path, env=state, timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    for name, _, _ in DEMO_SOURCES:
        if name != "applications":
            rows = 30 + len(DEMO_MISTAKES.get(name, []))
            assert f"{name}: 1 file(s) received, {rows} row(s) landed" in first.stdout
    # Applications: every person's, the earlier attempts of those retaking, and a
    # persons file sent there by mistake (quarantined).
    applications = int(re.search(r"applications: 2 file\(s\) received, (\d+) row\(s\) "
                                 r"landed, 1 quarantined", first.stdout).group(1))
    assert applications > 30
    assert "dbt build: ok" in first.stdout
    # Everything the demo writes stays in its state folder, nothing in the cwd.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".state"]
    landed = sql("select count(*), sum(rows_landed) from marts.mart_load_audit "
                 "where status = 'landed'")
    mistakes = sum(len(m) for m in DEMO_MISTAKES.values())
    assert landed == [(len(DEMO_SOURCES), 30 * (len(DEMO_SOURCES) - 1) + mistakes
                       + applications)]
    # It ends with the business summary, its numbers those of the marts.
    summary = first.stdout[first.stdout.index("In business terms (run 1):"):].splitlines()
    (results,), = sql("select count(*) from marts.fct_exam_results")
    # Moved from Pending: the decisions of results and persons, not the opening
    # status of each application the organisation's file brought.
    (moved,), = sql("select count(*) from marts.fct_application_status_history "
                    "where from_status = 'Pending'")
    assert moved > 0  # decided, though the applications file landed after the results
    (scores, people), = sql("select count(*), count(distinct vendor_person_id) "
                            "from marts.mart_scores_by_person")
    assert results > 0 and scores > 0
    assert summary[1].startswith(f"  exam results received: {results} (")
    assert summary[2].startswith(f"  application statuses moved from Pending: {moved}")
    assert f"  admissions scores on file: {scores} for {people} person(s)" in summary
    assert summary[-1].startswith("Next: `python cli.py status`")
    # Matching, purpose codes and the same-date fix have something to show.
    matched = dict(sql("select outcome, count(*) from marts.mart_person_matches group by 1"))
    assert matched.get("matched", 0) > 0
    assert any(line.startswith("  incoming person records matched: ") for line in summary)
    (marks,), = sql("select count(*) from marts.mart_purpose_codes where is_marked")
    assert marks > 0
    assert any(line.startswith(f"  best scores marked as used for admission (purpose codes): "
                               f"{marks} (") for line in summary), summary
    (changes,), = sql("select count(*) from marts.mart_test_date_changes")
    assert changes >= 1
    assert f"  same-date ACT/SAT test date changes: {changes}" in summary
    # dbt's own lines are in the demo's log file, not on the terminal.
    assert "START sql" not in first.stdout + first.stderr
    assert "START sql" in (tmp_path / ".state" / "demo" / "scorebridge-demo.log").read_text()

    # Every chart of the report has something to show: years of applications with
    # retakes, quarters of outcomes, months of admissions scores, problems of each kind.
    (years, retakes), = sql("select count(distinct year), sum(retakes) "
                            "from marts.mart_applicants_yearly")
    assert years >= 3 and retakes > 0
    assert sql("select count(distinct quarter_start) from marts.mart_outcomes_quarterly")[0][0] >= 4
    (months, score_years), = sql("select count(distinct month_start), count(distinct "
                                 "extract(year from month_start)) "
                                 "from marts.mart_admissions_scores_monthly")
    assert months >= 12 and score_years >= 2
    kinds = {k for k, in sql("select distinct problem_kind from marts.mart_problems "
                             "where status = 'open'")}
    assert {"no_matching_application", "result_error", "score_error",
            "quarantined_file"} <= kinds
    report = run_cli("report", "--out", str(tmp_path / ".state" / "report"), cwd=tmp_path,
                     env=state)
    assert report.returncode == 0, report.stdout + report.stderr
    page = (tmp_path / ".state" / "report" / "report.html").read_text()
    assert 'class="empty"' not in page

    second = run_cli("--quiet", "demo", "--records", "30", cwd=tmp_path, env=state, timeout=900)
    assert second.returncode == 0, second.stdout + second.stderr
    assert sql("select count(*) from raw.file_manifest where status = 'landed'") == [
        (2 * len(DEMO_SOURCES),)]
    assert sql("select verb, status from raw.run_log order by run_id") == [("run", "ok")] * 2
