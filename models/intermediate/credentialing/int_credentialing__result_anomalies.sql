-- Results that need a person: one row per result and problem. A result with
-- any anomaly decides nothing (see fct_application_status_history).
-- Incremental: a build recomputes the results whose match was rewritten since
-- its newest row (see int_credentialing__result_matches, which also rewrites
-- the results an anomaly of another result or a new exam may change). The
-- pre-hook deletes those results' rows first, because a resolved anomaly
-- leaves no row to replace; delete+insert by result_id then writes them.

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='result_id',
    on_schema_change='fail',
    post_hook='{{ refresh_statistics() }}',
    pre_hook="{{ credentialing_forget_rematched_results() }}",
    indexes=[
        {'columns': ['result_id']},
        {'columns': ['rebuilt_at']},
    ],
) }}

with matches as (

    select * from {{ ref('int_credentialing__result_matches') }}
    {% if is_incremental() %}
        where result_id in ({{ credentialing_rematched_results() }})
    {% endif %}

),

results as (

    select * from {{ ref('int_credentialing__results') }}
    {% if is_incremental() %}
        where result_id in (select m.result_id from matches as m)
    {% endif %}

),

known_exams as (

    select distinct exam_code
    from {{ ref('stg_credentialing__applications') }}
    where exam_code is not null

),

found as (

    select
        results.result_id,
        results.candidate_id,
        results.eligibility_id,
        results.exam_code,
        results.test_date,
        results.outcome,
        results.file_id,
        results.line_number,
        matches.application_id,
        problems.anomaly_type,
        problems.explanation
    from results
    inner join matches
        on results.result_id = matches.result_id
    left join known_exams
        on results.exam_code = known_exams.exam_code
    cross join
        lateral (
            values
            (
                'unknown_exam',
                case
                    when known_exams.exam_code is null
                        then
                            'Exam ' || results.exam_code
                            || ' is not the exam of any application: check the exam code with the vendor.'
                end
            ),
            (
                'no_matching_application',
                case
                    when matches.application_id is null
                        then
                            'No application matches: EligibilityID '
                            || coalesce(results.eligibility_id, '(empty)')
                            || ' is unknown and candidate ' || results.candidate_id
                            || ' has no single Pending application for ' || results.exam_code || '.'
                end
            ),
            (
                'candidate_mismatch',
                case
                    when matches.application_person_id <> results.candidate_id
                        then
                            'The result is for candidate ' || results.candidate_id
                            || ' but application ' || matches.application_id || ' belongs to '
                            || matches.application_person_id || '.'
                end
            ),
            (
                'exam_mismatch',
                case
                    when matches.application_exam_code <> results.exam_code
                        then
                            'The result is for exam ' || results.exam_code || ' but application '
                            || matches.application_id || ' is for '
                            || matches.application_exam_code || '.'
                end
            ),
            (
                'application_not_pending',
                case
                    when
                        matches.application_status <> 'Pending'
                        and matches.application_status is distinct from results.outcome
                        then
                            'Application ' || matches.application_id || ' is already '
                            || coalesce(matches.application_status, 'of unknown status')
                            || ' but this result says ' || results.outcome || '.'
                end
            ),
            (
                'conflicting_results',
                case
                    when matches.results_for_application > 1
                        then
                            'Application ' || matches.application_id || ' has '
                            || matches.results_for_application
                            || ' different results: decide which one stands.'
                end
            ),
            (
                'outside_eligibility_window',
                case
                    when
                        results.test_date < matches.eligibility_start
                        or results.test_date > matches.eligibility_end
                        then
                            'Tested on ' || results.test_date || ', outside the eligibility window '
                            || coalesce(matches.eligibility_start::text, '...') || ' to '
                            || coalesce(matches.eligibility_end::text, '...') || ' of application '
                            || matches.application_id || '.'
                end
            )
        ) as problems (anomaly_type, explanation)
    where problems.explanation is not null

)

select
    md5(result_id || '|' || anomaly_type) as anomaly_id,
    result_id,
    anomaly_type,
    explanation,
    application_id,
    candidate_id,
    eligibility_id,
    exam_code,
    test_date,
    outcome,
    file_id,
    line_number,
    {{ rebuilt_at() }} as rebuilt_at
from found
