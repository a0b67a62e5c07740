"""Decisions that stand: a stale extract, an organisation that decides, a later result.

Each test starts from the built template of tests/test_credentialing_exports.py
(persons, applications and one result file: A1 passed, A2 failed, A6 a no-show,
A8 passed in 2025), lands what comes next through the real CLI and builds the
credentialing models again, incrementally, on a real PostgreSQL.
"""

from __future__ import annotations

import pytest

from tests.helpers import run_cli
from tests.test_credentialing_exports import APPLICATIONS, RESULTS, ok
from tests.test_credentialing_incremental import CREDENTIALING, snapshot

HEADER = APPLICATIONS.splitlines()[0]
# The association's next extract, taken before it loaded our status changes:
# A1, A6 and A8 (decided by results) still say Pending. A2 (our Failed) says
# Passed, A6's No-show agrees with ours, A9 (no result) was withdrawn.
STALE_EXTRACT = HEADER + """
A1,P1,CPA,2026-01-05,Pending,2026-01-15,2026-07-15,
A2,P2,CPA,2026-01-20,Passed,2026-01-25,2026-07-25,Extra time
A6,P5,CPA,2026-01-10,No-show,2026-01-15,2026-07-15,
A8,P4,CMA,2025-09-01,Pending,2025-09-05,2026-03-05,
A9,P3,CPA,2026-01-28,Withdrawn,2026-02-01,2026-08-01,-5 minutes
"""
# A second result for A1 that disagrees with the first (a pass).
SECOND_RESULT = RESULTS.splitlines()[0] + """
P1,A1,Able,Ann,CPA,2026-02-10,TC01,60,70,FAIL,2026-02-20
"""


def build(tmp_path, *extra):
    ok(run_cli("dbt", "build", *CREDENTIALING, *extra, cwd=tmp_path, timeout=900))


def land(tmp_path, fmt, name, text):
    path = tmp_path / name
    path.write_text(text)
    ok(run_cli("load", fmt, str(path), cwd=tmp_path))
    return path


def statuses(sql):
    return {a: (s, src) for a, s, src in sql(
        "select application_id, current_status, status_source from marts.mart_application_status")}


@pytest.mark.db_from("credentialing_template")
def test_a_stale_extract_keeps_decisions_and_an_organisation_decision_is_honoured(tmp_path, sql):
    land(tmp_path, "applications", "applications_2.csv", STALE_EXTRACT)
    build(tmp_path)

    current = statuses(sql)
    assert {a: current[a] for a in ("A1", "A2", "A6", "A8", "A9")} == {
        "A1": ("Passed", "result"),         # stale Pending: the result stands
        "A2": ("Passed", "organisation"),   # the organisation decided otherwise: honoured
        "A6": ("No-show", "result"),        # agrees: no new event
        "A8": ("Passed", "result"),
        "A9": ("Withdrawn", "organisation"),
    }
    # The certificates due follow the decisions (the organisation's Passed is not ours to print).
    assert sorted(a for (a,) in sql("select application_id from marts.mart_print_queue "
                                    "where print_kind = 'certificate'")) == ["A1", "A8"]

    # The history keeps every step with its source: the organisation's file and line.
    stale_file, = sql("select file_id from raw.file_manifest where original_name = 'applications_2.csv'")
    history = sql("select from_status, to_status, status_source, file_id, line_number "
                  "from marts.fct_application_status_history where application_id = 'A2' "
                  "order by event_number")
    result_file, = sql("select file_id from raw.file_manifest "
                       "where original_name = 'RESULTS_ASSOC_20260215.csv'")
    apps_file, = sql("select file_id from raw.file_manifest where original_name = 'applications.csv'")
    assert history == [(None, "Pending", "organisation", apps_file[0], 3),
                       ("Pending", "Failed", "result", result_file[0], 3),
                       ("Failed", "Passed", "organisation", stale_file[0], 3)]
    assert sql("select count(*) from marts.fct_application_status_history "
               "where application_id in ('A1', 'A6', 'A8') and file_id = %s", stale_file) == [(0,)]

    # The disagreement is an anomaly on the result; an agreeing or stale version is none.
    disagree = sql("select application_id, explanation from marts.mart_result_anomalies "
                   "where anomaly_type = 'organisation_disagrees'")
    assert disagree == [("A2", f"Application A2 is Passed in the organisation's file {stale_file[0]} "
                               "line 3, sent after this result, which says Failed.")]
    # Only our own decisions go back to the organisation.
    assert sorted(a for (a,) in sql("select application_id from marts.outbound_status_changes")) == [
        "A1", "A2", "A6", "A8"]


@pytest.mark.db_from("credentialing_template")
def test_a_later_conflicting_result_keeps_the_exported_decision_until_a_person_chooses(
        tmp_path, sql):
    out = tmp_path / "exports"
    ok(run_cli("export", "status-changes", "--out", str(out), cwd=tmp_path))
    exported, = sql("select i.status_change_id from ops.status_change_export_items as i "
                    "inner join marts.fct_application_status_history as h "
                    "on h.status_change_id = i.status_change_id where h.application_id = 'A1'")

    land(tmp_path, "prometric_results", "RESULTS_ASSOC_20260301.csv", SECOND_RESULT)
    build(tmp_path)

    # The decision and its row stay; both results are conflicting_results.
    a1 = ("select status_change_id, from_status, to_status, result_id "
          "from marts.fct_application_status_history where application_id = 'A1' "
          "and result_id is not null order by changed_at")
    decided = sql(a1)
    assert [(r[0], r[1], r[2]) for r in decided] == [(exported[0], "Pending", "Passed")]
    assert statuses(sql)["A1"] == ("Passed", "result")
    conflicts = sql("select anomaly_id, result_id, outcome from marts.mart_result_anomalies "
                    "where application_id = 'A1' and anomaly_type = 'conflicting_results' "
                    "order by outcome")
    assert [c[2] for c in conflicts] == ["Failed", "Passed"]
    # Nothing goes out, and no certificate, while nobody has chosen.
    assert sql("select count(*) from marts.outbound_status_changes") == [(0,)]
    assert sql("select count(*) from marts.mart_print_queue where application_id = 'A1'") == [(0,)]

    # A person chooses the failing result (the contract of ops.problem_handling).
    (failed_anomaly, failed_result, _), _ = conflicts
    sql("insert into ops.problem_handling (problem_id, problem_kind, note, chosen_result_id, "
        "handled_by, recorded_from) values (%s, 'anomaly', 'rescored by the vendor', %s, "
        "'reviewer', 'cli')", (failed_anomaly, failed_result))
    build(tmp_path)

    correction = sql("select application_id, from_status, to_status, result_id "
                     "from marts.outbound_status_changes")
    assert correction == [("A1", "Passed", "Failed", failed_result)]
    assert sql(a1)[:1] == decided  # the first decision is still there
    assert statuses(sql)["A1"] == ("Failed", "resolution")
    ok(run_cli("export", "status-changes", "--out", str(out), cwd=tmp_path))
    assert sql("select count(*) from marts.outbound_status_changes") == [(0,)]

    # The same raw data and decisions built from scratch give the same rows
    # (the pending-export mart is as of its build: built again after the export).
    build(tmp_path)
    incremental = snapshot(sql)
    build(tmp_path, "--full-refresh")
    assert snapshot(sql) == incremental


def test_the_demo_order_applications_after_results_keeps_the_decisions(tmp_path, sql):
    """The demo lands the applications file after the results file (DEMO_SOURCES order)."""
    from loaders.core.context import open_context
    from loaders.devtools.demo import DEMO_SOURCES
    from loaders.devtools.generate import generate, generate_people
    from loaders.runs import jobs
    from tests.helpers import write_config

    wanted = ("prometric_results", "persons", "applications")
    order = [fmt for _, fmt, _ in DEMO_SOURCES if fmt in wanted]
    assert order.index("prometric_results") < order.index("applications")
    people = generate_people(60, seed=11)
    ctx = open_context(write_config(tmp_path, []), quiet=True)
    try:
        for fmt in order:
            path = generate(fmt, tmp_path / "files" / f"{fmt}.csv", 60, seed=11, people=people)
            assert not any(s.errors for s in jobs.load(ctx, fmt, [path]).summaries)
    finally:
        ctx.conn.close()
    build(tmp_path)

    decided = "exists (select 1 from marts.fct_application_status_history as h " \
              "where h.application_id = s.application_id and h.result_id is not null)"
    reverted = sql(f"select count(*) from marts.mart_application_status as s "
                   f"where current_status = 'Pending' and {decided}")
    shown = sql(f"select count(*) from marts.mart_application_status as s "
                f"where current_status in ('Passed', 'Failed', 'No-show') and {decided}")
    assert reverted == [(0,)] and shown[0][0] > 0
    assert sql("select count(*) from marts.mart_print_queue where print_kind = 'certificate'")[0][0] > 0


@pytest.mark.db_from("credentialing_template")
def test_a_decision_not_yet_sent_waits_for_the_choice_and_choosing_it_sends_no_correction(
        tmp_path, sql):
    land(tmp_path, "prometric_results", "RESULTS_ASSOC_20260301.csv", SECOND_RESULT)
    build(tmp_path)
    outbound = "select application_id, from_status, to_status from marts.outbound_status_changes"
    assert sorted(a for a, _, _ in sql(outbound)) == ["A2", "A6", "A8"]  # A1 held back

    passed_anomaly, passed_result = sql(
        "select anomaly_id, result_id from marts.mart_result_anomalies where application_id = 'A1' "
        "and anomaly_type = 'conflicting_results' and outcome = 'Passed'")[0]
    sql("insert into ops.problem_handling (problem_id, problem_kind, note, chosen_result_id, "
        "handled_by, recorded_from) values (%s, 'anomaly', 'the pass stands', %s, 'reviewer', "
        "'cli')", (passed_anomaly, passed_result))
    build(tmp_path)

    # The first decision goes out as it was; choosing it is no change, so no correction.
    assert sorted(sql(outbound)) == [("A1", "Pending", "Passed"), ("A2", "Pending", "Failed"),
                                     ("A6", "Pending", "No-show"), ("A8", "Pending", "Passed")]
    assert statuses(sql)["A1"] == ("Passed", "result")
    assert sql("select count(*) from marts.mart_print_queue where application_id = 'A1'") == [(2,)]
