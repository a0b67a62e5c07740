"""The review pages' test data is what it says (tests/review_data.py): the potential
cases with their candidates, the markup on both sides, the score error, the
quarantined file and its archive; and where the anomalies come from."""

from __future__ import annotations

import pytest

from tests.review_data import (
    CANDIDATES,
    DORSEY,
    DRIFT_FILE,
    DRIFT_MISSING,
    MARKUP,
    MARKUP_FIRST,
    MARKUP_LAST,
    MATCHED,
    NEW,
    POTENTIAL,
    SAT_FILE,
    SCORE_ERROR,
    TWINS,
    review_template,  # noqa: F401 (fixture)
)
from tests.test_problems import problems_template  # noqa: F401 (fixture)

ERROR_KINDS = ("result_error", "score_error", "placement_error", "org_file_error",
               "quarantined_file")


@pytest.mark.db_from("review_template")
def test_three_potential_cases_wait_oldest_first_each_with_its_candidates(sql):
    rows = sql("select record_id, queue_position, candidate_rank, candidate_person_id, "
               "file_name, reason from marts.mart_match_review_queue "
               "order by queue_position, candidate_rank")
    assert [r[0] for r in rows] == [TWINS, TWINS, MARKUP, DORSEY]
    assert {r[0]: [c[3] for c in rows if c[0] == r[0]] for r in rows} == CANDIDATES
    assert [r[1] for r in rows] == [1, 1, 2, 3]
    assert {r[4] for r in rows} == {SAT_FILE}
    assert all("between the review and automatic thresholds" in r[5] for r in rows)
    outcomes = dict(sql("select record_id, outcome from marts.mart_person_matches"))
    assert outcomes == {MATCHED: "matched", NEW: "new", **dict.fromkeys(POTENTIAL, "potential")}


@pytest.mark.db_from("review_template")
def test_the_markup_case_carries_html_and_script_on_both_sides(sql):
    rows = sql("select record_first_name, record_last_name, candidate_first_name, "
               "candidate_last_name, first_name_agreement, last_name_agreement "
               "from marts.mart_match_review_queue where record_id = %s", (MARKUP,))
    assert rows == [(MARKUP_FIRST, MARKUP_LAST, MARKUP_FIRST, MARKUP_LAST, "agree", "agree")]


@pytest.mark.db_from("review_template")
def test_no_case_has_ssn_digits_no_sat_layout_maps_an_ssn(sql):
    assert sql("select count(*) from seeds.layout_fields where field_role = 'ssn'") == [(0,)]
    assert sql("select count(*) from marts.mart_match_review_queue where ssn_level <> "
               "'missing' or record_ssn_last4 is not null or candidate_ssn_last4 is not null"
               ) == [(0,)]


@pytest.mark.db_from("review_template")
def test_an_open_score_error_names_its_file_line_field_and_value(sql):
    rows = sql("select file_name, line_number, field, field_value, explanation, status, domain "
               "from marts.mart_problems where problem_kind = 'score_error'")
    assert rows == [(*SCORE_ERROR, "out_of_range: integer 400 to 1600", "open", "admissions")]


@pytest.mark.db_from("review_template")
def test_the_drifted_file_is_an_open_quarantined_file_problem_with_its_archive(sql):
    rows = sql("select p.file_name, p.explanation, p.status, p.line_number, m.archive_path "
               "from marts.mart_problems p join raw.file_manifest m on m.file_id = p.file_id "
               "where p.problem_kind = 'quarantined_file'")
    assert len(rows) == 1, rows
    name, explanation, status, line, archive = rows[0]
    assert (name, status, line) == (DRIFT_FILE, "open", None)
    assert explanation == ("CSV header matches no layout version of sat_csv; "
                           f"it lacks columns of version 2024: {DRIFT_MISSING}")
    assert archive.endswith(f"/{DRIFT_FILE}")
    # Quarantined whole: none of its rows reached the matching.
    assert sql("select count(*) from marts.mart_person_matches where file_name = %s",
               (DRIFT_FILE,)) == [(0,)]
    # Nothing else waits: the pages' counts are these problems and cases only.
    assert sql("select problem_kind, count(*) from marts.mart_problems group by 1 "
               "order by 1") == [("quarantined_file", 1), ("score_error", 1)]


@pytest.mark.db_from("credentialing_template")
def test_the_credentialing_template_has_anomalies_but_no_problems_mart_and_no_conflict(sql):
    # Its build (+models/marts/credentialing +models/marts/custody) leaves the
    # problems marts out, and no application there has two results: the anomaly
    # pages take problems_template (tests/test_problems.py) instead, below.
    assert sql("select to_regclass('marts.mart_problems'), "
               "to_regclass('marts.mart_problem_choices')") == [(None, None)]
    assert sql("select anomaly_type, count(*) from marts.mart_result_anomalies "
               "group by 1 order by 1") == [("application_not_pending", 1),
                                            ("no_matching_application", 1)]


@pytest.mark.db_from("problems_template")
def test_the_problems_template_has_open_anomalies_and_a_conflict_with_choices(sql):
    anomalies = sql("select problem_kind, count(*) from marts.mart_problems "
                    "where status = 'open' and problem_kind not in %s group by 1 order by 1",
                    (ERROR_KINDS,))
    assert dict(anomalies).keys() == {"application_not_pending", "conflicting_results",
                                      "no_matching_application"}, anomalies
    choices = sql("select p.problem_id, count(c.result_id) from marts.mart_problems p "
                  "join marts.mart_problem_choices c on c.problem_id = p.problem_id "
                  "where p.problem_kind = 'conflicting_results' and p.status = 'open' "
                  "group by 1")
    assert choices and all(n >= 2 for _, n in choices), choices
