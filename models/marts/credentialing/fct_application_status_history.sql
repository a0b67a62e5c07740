-- A matched result decides its application when the application was Pending
-- as the result arrived and the result has no anomaly. Each decision is a
-- status change from Pending to Passed, Failed or No-show.
-- Incremental: a build decides again the results whose match was rewritten
-- since its newest row (int_credentialing__result_matches rewrites every
-- result a new result or application version may change). A decision can
-- disappear (a second, different result for the application), so the
-- pre-hook deletes those results' rows first; delete+insert by result_id.

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

),

anomalies as (

    select result_id from {{ ref('int_credentialing__result_anomalies') }}

)

select
    md5(matches.application_id || '|' || results.result_id) as status_change_id,
    matches.application_id,
    matches.application_person_id as person_id,
    matches.application_exam_code as exam_code,
    matches.application_status as from_status,
    results.outcome as to_status,
    coalesce(results.result_date, results.test_date) as changed_at,
    results.test_date,
    results.result_id,
    results.file_id,
    results.line_number,
    'result ' || results.result_code || ' of ' || results.test_date
    || ' matched by ' || matches.match_rule || ' to a Pending application' as rule,  -- noqa: RF04
    {{ rebuilt_at() }} as rebuilt_at
from results
inner join matches
    on results.result_id = matches.result_id
where
    matches.application_status = 'Pending'
    -- not exists, not `not in`: PostgreSQL runs a `not in` whose list
    -- outgrows work_mem once per row, which a large history makes quadratic
    and not exists (
        select 1 from anomalies
        where anomalies.result_id = results.result_id
    )
