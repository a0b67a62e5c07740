-- Results that need a person: one row per result and problem. A result with
-- an anomaly decides nothing (see fct_application_status_history), except the
-- two a later delivery brings to a decision that already stood: a second,
-- different result (conflicting_results, on both) and an organisation file
-- that says otherwise (organisation_disagrees); the decision stays in the
-- history until a person chooses (ops.problem_handling).
-- Incremental: a build recomputes the results whose match was rewritten since
-- its newest row (see int_credentialing__result_matches, which also rewrites
-- the results an anomaly of another result, a new application version or a
-- new exam may change). The pre-hook deletes those results' rows first,
-- because a resolved anomaly leaves no row to replace; delete+insert by
-- result_id then writes them.

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

-- The organisation's newest version of each application.
current_versions as (

    select * from {{ ref('int_credentialing__applications') }}

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
        matches.application_person_id,
        matches.application_exam_code,
        matches.application_status,
        matches.results_for_application,
        matches.eligibility_start,
        matches.eligibility_end,
        known_exams.exam_code as known_exam_code,
        current_versions.status as organisation_status,
        current_versions.file_id as organisation_file_id,
        current_versions.line_number as organisation_line_number
    from results
    inner join matches
        on results.result_id = matches.result_id
    left join known_exams
        on results.exam_code = known_exams.exam_code
    left join current_versions
        on matches.application_id = current_versions.application_id

),

problems as (

    select
        *,
        'unknown_exam' as anomaly_type,
        'Exam ' || exam_code
        || ' is not the exam of any application: check the exam code with the vendor.' as explanation
    from found
    where known_exam_code is null

    union all

    select
        *,
        'no_matching_application' as anomaly_type,
        'No application matches: EligibilityID ' || coalesce(eligibility_id, '(empty)')
        || ' is unknown and candidate ' || candidate_id
        || ' has no single Pending application for ' || exam_code || '.' as explanation
    from found
    where application_id is null

    union all

    select
        *,
        'candidate_mismatch' as anomaly_type,
        'The result is for candidate ' || candidate_id || ' but application ' || application_id
        || ' belongs to ' || application_person_id || '.' as explanation
    from found
    where application_person_id <> candidate_id

    union all

    select
        *,
        'exam_mismatch' as anomaly_type,
        'The result is for exam ' || exam_code || ' but application ' || application_id
        || ' is for ' || application_exam_code || '.' as explanation
    from found
    where application_exam_code <> exam_code

    union all

    -- The organisation had decided (or withdrawn) the application before the
    -- result arrived, and the result says otherwise.
    select
        *,
        'application_not_pending' as anomaly_type,
        'Application ' || application_id || ' is already '
        || coalesce(application_status, 'of unknown status')
        || ' but this result says ' || outcome || '.' as explanation
    from found
    where application_status not in ('Pending', outcome)

    union all

    select
        *,
        'conflicting_results' as anomaly_type,
        'Application ' || application_id || ' has '
        || cast(results_for_application as {{ dbt.type_string() }})
        || ' different results: decide which one stands.' as explanation
    from found
    where results_for_application > 1

    union all

    select
        *,
        'outside_eligibility_window' as anomaly_type,
        'Tested on ' || cast(test_date as {{ dbt.type_string() }})
        || ', outside the eligibility window '
        || coalesce(cast(eligibility_start as {{ dbt.type_string() }}), '...') || ' to '
        || coalesce(cast(eligibility_end as {{ dbt.type_string() }}), '...')
        || ' of application ' || application_id || '.' as explanation
    from found
    where test_date < eligibility_start or test_date > eligibility_end

    union all

    -- The result found the application Pending; a version of it the
    -- organisation sent afterwards (its newest) is a decision that differs.
    -- The organisation's status is honoured (mart_application_status).
    select
        *,
        'organisation_disagrees' as anomaly_type,
        'Application ' || application_id || ' is ' || organisation_status
        || ' in the organisation''s file ' || cast(organisation_file_id as {{ dbt.type_string() }})
        || ' line ' || cast(organisation_line_number as {{ dbt.type_string() }})
        || ', sent after this result, which says ' || outcome || '.' as explanation
    from found
    where
        application_status = 'Pending'
        and organisation_file_id > file_id
        and organisation_status not in ('Pending', outcome)

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
from problems
