"""The incremental credentialing models give what a full refresh gives.

History (records and one result file) is landed and built; then a second
result file and a second applications file are landed, each followed by an
incremental `build`. The rules that need earlier results or later
applications are exercised: a duplicate across files, a result that conflicts
with an earlier decision, an application that arrives after its result, an
exam that becomes known, a stale extract and an organisation decision that
differs from a result's. The marts and intermediate tables are then compared
with a `dbt build --full-refresh` of the same raw data. A rerun changes nothing.
"""

from __future__ import annotations

from tests.helpers import ROOT, run_cli
from tests.test_credentialing_exports import APPLICATIONS, RESULTS, ok, write_inputs

HEADER = RESULTS.splitlines()[0]
# Against the first file: P1 fails A1 (which P1 passed there): two results that
# disagree; P2's line is delivered again; P3 names no application and has one
# Pending CPA application (A9); exam XYZ is no application's exam yet (P1 never
# applies for it); A5 was Failed and this result agrees; the last line has no
# exam code.
RESULTS_2 = HEADER + "\n" + """P1,A1,Able,Ann,CPA,2026-02-10,TC01,60,70,FAIL,2026-02-20
P2,A2,Cmd,Bob,CPA,02/11/2026,TC01,55,70,fail ,2026-02-13
P3,,Smith,Cy,CPA,2026-03-01,TC03,88,70,PASS,2026-03-03
P4,,O'Neil,Di,XYZ,2026-03-02,TC03,70,70,PASS,2026-03-04
P1,,Able,Ann,XYZ,2026-03-03,TC03,71,70,PASS,2026-03-05
P5,A5,Eve,Eva,CPA,2025-07-01,TC01,50,70,FAIL,2025-07-03
P6,A6,Eve,Eva,,2026-03-02,TC03,70,70,PASS,2026-03-04
"""
# After both result files: E404 (named by a result of the first file) arrives,
# exam XYZ gets an application, and A4 is withdrawn. A2 (failed by a result)
# still says Pending: a stale extract; A8 (passed by a result) says Failed:
# the organisation decided otherwise.
APPLICATIONS_2 = APPLICATIONS.splitlines()[0] + """
E404,P9,CPA,2026-01-30,Pending,2026-02-01,2026-08-01,
A12,P4,XYZ,2026-02-01,Pending,2026-02-01,2026-08-01,
A4,P4,CPA,2026-03-01,Withdrawn,2026-03-05,2026-09-05,
A2,P2,CPA,2026-01-20,Pending,2026-01-25,2026-07-25,Extra time
A8,P4,CMA,2025-09-01,Failed,2025-09-05,2026-03-05,
A20,P99,CPA,2026-03-01,Pending,2026-03-05,2026-09-05,
"""
# The credentialing models and what they are built from (other domains' models
# have nothing to do with these rules and would only slow the test down): what
# `build` runs, narrowed; as of one day (var as_of_date), so that eligibility
# windows are open or ended alike in every build, whatever day the suite runs.
CREDENTIALING = ("--select", "+models/marts/credentialing", "--indirect-selection", "cautious",
                 "--exclude-resource-type", "unit_test",  # unit tests: tests/test_dbt_unit.py
                 "--vars", "{as_of_date: '2026-04-01'}")
# Written only by the build that last touched a row: not part of the results.
BOOKKEEPING = {"rebuilt_at", "results_loaded_at", "applications_loaded_at", "problems_handled_at"}


def tables() -> list[tuple[str, str]]:
    """Every credentialing mart and intermediate model, by its file."""
    return [(folder.split("/")[1], path.stem)
            for folder in ("models/intermediate/credentialing", "models/marts/credentialing")
            for path in sorted((ROOT / folder).glob("*.sql"))]


def snapshot(sql, skip=BOOKKEEPING) -> dict[str, list[str]]:
    out = {}
    for schema, table in tables():
        columns = [c for (c,) in sql(
            "select column_name from information_schema.columns where table_schema = %s "
            "and table_name = %s order by ordinal_position", (schema, table))
            if c not in skip]
        rows = sql(f"select {', '.join(columns)} from {schema}.{table}")
        out[f"{schema}.{table}"] = sorted(map(repr, rows))
    return out


def test_incremental_builds_equal_a_full_refresh_and_reruns_change_nothing(
        tmp_path, db_url, sql):
    inputs = write_inputs(tmp_path / "records")
    second = tmp_path / "records" / "RESULTS_ASSOC_20260301.csv"
    second.write_text(RESULTS_2)
    applications_2 = tmp_path / "records" / "applications_2.csv"
    applications_2.write_text(APPLICATIONS_2)
    for fmt in ("persons", "applications", "prometric_results"):
        ok(run_cli("load", fmt, str(inputs[fmt]), cwd=tmp_path))
    ok(run_cli("dbt", "build", *CREDENTIALING, cwd=tmp_path, timeout=900))
    first_stamp, = sql("select distinct rebuilt_at from marts.fct_exam_results")

    ok(run_cli("load", "prometric_results", str(second), cwd=tmp_path))
    ok(run_cli("dbt", "build", *CREDENTIALING, cwd=tmp_path, timeout=900))
    ok(run_cli("load", "applications", str(applications_2), cwd=tmp_path))
    ok(run_cli("dbt", "build", *CREDENTIALING, cwd=tmp_path, timeout=900))

    # Incremental: results no new data concerns were not written again.
    untouched = {(c, e): same for c, e, same in sql(
        "select candidate_id, exam_code, rebuilt_at = %s from marts.fct_exam_results "
        "where file_id = (select min(file_id) from marts.fct_exam_results)", (first_stamp,))}
    # P1's CPA result shares A1 with a new result, E404 arrived for P9's: written again.
    assert not untouched["P1", "CPA"] and not untouched["P9", "CPA"]
    assert untouched["P1", "CMA"] and untouched["P5", "CPA"]

    # The rules that need the earlier results and the later applications.
    delivered = dict(sql("select candidate_id, times_delivered from marts.fct_exam_results "
                         "where exam_code = 'CPA' and result_code = 'FAIL' and score = 55"))
    assert delivered == {"P2": 2}
    decided = dict(sql("select application_id, to_status "
                       "from marts.fct_application_status_history where status_source = 'result'"))
    # The first result decided A1; a later, different one does not erase it.
    assert decided["A1"] == "Passed"
    assert {k: decided.get(k) for k in ("A9", "E404", "A12")} == {
        "A9": "Passed", "E404": "Passed", "A12": "Passed"}
    current = {a: (st, src) for a, st, src in sql(
        "select application_id, current_status, status_source from marts.mart_application_status")}
    assert (current["A2"], current["A8"]) == (("Failed", "result"), ("Failed", "organisation"))
    anomalies = sql("select application_id, anomaly_type from marts.mart_result_anomalies")
    assert [a for a in anomalies if a[1] == "organisation_disagrees"] == [
        ("A8", "organisation_disagrees")]
    assert anomalies.count(("A1", "conflicting_results")) == 2
    assert not [a for a in anomalies if a[0] in ("E404", "A12", "A5")]
    assert not [a for a in anomalies if a[1] == "unknown_exam"]  # XYZ is known now
    unmatched = sql("select candidate_id, exam_code from marts.mart_result_anomalies "
                    "where anomaly_type = 'no_matching_application'")
    assert unmatched == [("P1", "XYZ")]
    errors = sql("select file_name, field from marts.mart_result_errors")
    assert (second.name, "ExamCode") in errors

    # A rerun with nothing new writes nothing, bookkeeping included.
    written = snapshot(sql, skip=set())
    incremental = snapshot(sql)
    ok(run_cli("dbt", "build", *CREDENTIALING, cwd=tmp_path, timeout=900))
    assert snapshot(sql, skip=set()) == written

    # The same raw data built from scratch gives the same rows.
    ok(run_cli("dbt", "build", "--full-refresh", *CREDENTIALING, cwd=tmp_path, timeout=900))
    full = snapshot(sql)
    assert not [t for t, rows in full.items() if not rows]  # every model has rows to compare
    assert full == incremental
