"""`demo`: the whole job on generated files from a local inbox, twice."""

from loaders.devtools.demo import DEMO_SOURCES
from tests.helpers import run_cli


def test_demo_runs_the_whole_job_and_a_second_run_receives_new_files(tmp_path, sql):
    state = {"SCOREBRIDGE_STATE_DIR": str(tmp_path / ".state")}
    first = run_cli("demo", "--records", "30", cwd=tmp_path, env=state, timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    for name, _, _ in DEMO_SOURCES:
        assert f"{name}: 1 file(s) received, 30 row(s) landed" in first.stdout
    assert "dbt build: ok" in first.stdout
    # Everything the demo writes stays in its state folder, nothing in the cwd.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".state"]
    landed = sql("select count(*), sum(rows_landed) from marts.mart_load_audit "
                 "where status = 'landed'")
    assert landed == [(len(DEMO_SOURCES), 30 * len(DEMO_SOURCES))]
    # It ends with the business summary, its numbers those of the marts.
    summary = first.stdout[first.stdout.index("In business terms (run 1):"):].splitlines()
    (results,), = sql("select count(*) from marts.fct_exam_results")
    (moved,), = sql("select count(*) from marts.fct_application_status_history")
    (scores, people), = sql("select count(*), count(distinct vendor_person_id) "
                            "from marts.mart_scores_by_person")
    assert results > 0 and scores > 0
    assert summary[1].startswith(f"  exam results received: {results} (")
    assert summary[2].startswith(f"  application statuses moved from Pending: {moved}")
    assert f"  admissions scores on file: {scores} for {people} person(s)" in summary
    assert summary[-1].startswith("Next: `python cli.py status`")
    # dbt's own lines are in the demo's log file, not on the terminal.
    assert "START sql" not in first.stdout + first.stderr
    assert "START sql" in (tmp_path / ".state" / "demo" / "scorebridge-demo.log").read_text()

    second = run_cli("--quiet", "demo", "--records", "30", cwd=tmp_path, env=state, timeout=900)
    assert second.returncode == 0, second.stdout + second.stderr
    assert sql("select count(*) from raw.file_manifest where status = 'landed'") == [
        (2 * len(DEMO_SOURCES),)]
    assert sql("select verb, status from raw.run_log order by run_id") == [("run", "ok")] * 2
