with results as (

    select * from {{ ref('int_credentialing__results') }}

),

matches as (

    select * from {{ ref('int_credentialing__result_matches') }}

)

select
    results.result_id,
    results.candidate_id,
    results.eligibility_id,
    results.last_name,
    results.first_name,
    results.exam_code,
    results.test_date,
    results.test_center,
    results.score,
    results.passing_score,
    results.result_code,
    results.outcome,
    results.result_date,
    matches.application_id,
    matches.match_rule,
    results.file_id,
    results.line_number,
    results.times_delivered::integer as times_delivered
from results
left join matches
    on results.result_id = matches.result_id
