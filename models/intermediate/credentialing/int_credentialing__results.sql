-- Results that passed every check, each counted once: the same result (same
-- candidate, eligibility id, exam, test date, result and score) delivered again
-- in the same file or another keeps its first delivery. result_id is a hash
-- of those values, so it is the same on every build.

with results as (

    select * from {{ ref('stg_credentialing__results') }}

),

failed_lines as (

    select distinct
        file_id,
        line_number
    from {{ ref('int_credentialing__result_checks') }}

),

valid as (

    select
        results.*,
        md5(concat_ws(
            '|',
            results.candidate_id,
            coalesce(results.eligibility_id, ''),
            results.exam_code,
            results.test_date::text,
            results.result_code,
            coalesce(results.score::text, '')
        )) as result_id
    from results
    left join failed_lines
        on
            results.file_id = failed_lines.file_id
            and results.line_number = failed_lines.line_number
    where failed_lines.file_id is null

),

deliveries as (

    select
        *,
        row_number() over (
            partition by result_id order by file_id, line_number
        ) as delivery_number,
        count(*) over (partition by result_id) as times_delivered
    from valid

)

select
    result_id,
    candidate_id,
    eligibility_id,
    last_name,
    first_name,
    exam_code,
    test_date,
    test_center,
    score,
    passing_score,
    result_code,
    case result_code
        when 'PASS' then 'Passed'
        when 'FAIL' then 'Failed'
        when 'NOSHOW' then 'No-show'
    end as outcome,
    result_date,
    file_id,
    line_number,
    times_delivered
from deliveries
where delivery_number = 1
