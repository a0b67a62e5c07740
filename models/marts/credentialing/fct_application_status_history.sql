-- A matched result decides its application when the application was Pending
-- as the result arrived and the result has no anomaly. Each decision is a
-- status change from Pending to Passed, Failed or No-show.

with results as (

    select * from {{ ref('int_credentialing__results') }}

),

matches as (

    select * from {{ ref('int_credentialing__result_matches') }}

),

anomalies as (

    select distinct result_id from {{ ref('int_credentialing__result_anomalies') }}

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
    || ' matched by ' || matches.match_rule || ' to a Pending application' as rule  -- noqa: RF04
from results
inner join matches
    on results.result_id = matches.result_id
where
    matches.application_status = 'Pending'
    and results.result_id not in (select a.result_id from anomalies as a)
