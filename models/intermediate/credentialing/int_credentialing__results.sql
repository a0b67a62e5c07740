-- Results that passed every check, each counted once: the same result (same
-- candidate, eligibility id, exam, test date, result and score) delivered again
-- in the same file or another keeps its first delivery. result_id is a hash
-- of those values, so it is the same on every build.
-- Incremental (merge on result_id): a build reads only the lines landed after
-- the newest delivery already counted (last_loaded_at), and combines them with
-- the row already here: the first delivery is the lower (file, line) of the
-- two, times_delivered the sum. Each landed line is counted exactly once, so
-- the result is the same as a full refresh.

{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key='result_id',
    on_schema_change='fail',
    post_hook='{{ refresh_statistics() }}',
    indexes=[
        {'columns': ['result_id'], 'unique': True},
        {'columns': ['eligibility_id']},
        {'columns': ['candidate_id', 'exam_code']},
        {'columns': ['last_loaded_at']},
    ],
) }}

with results as (

    select * from {{ ref('stg_credentialing__results') }}
    {% if is_incremental() %}
        where loaded_at > (select coalesce(max(t.last_loaded_at), '-infinity') from {{ this }} as t)
    {% endif %}

),

failed_lines as (

    select distinct
        file_id,
        line_number
    from {{ ref('int_credentialing__result_checks') }}
    where reason is not null

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
        count(*) over (partition by result_id) as deliveries_here,
        max(loaded_at) over (partition by result_id) as newest_loaded_at
    from valid

),

new_results as (

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
        deliveries_here::integer as times_delivered,
        newest_loaded_at as last_loaded_at
    from deliveries
    where delivery_number = 1

),

combined as (

    select * from new_results
    {% if is_incremental() %}
        union all
        select * from {{ this }}
        where result_id in (select n.result_id from new_results as n)
    {% endif %}

),

-- The row already here and the new deliveries hash to the same values; the
-- first delivery (file, then line) is kept and the counts add up.
final as (

    select
        *,
        row_number() over (
            partition by result_id order by file_id, line_number
        ) as delivery_number,
        sum(times_delivered) over (partition by result_id) as all_deliveries,
        max(last_loaded_at) over (partition by result_id) as newest_loaded_at
    from combined

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
    outcome,
    result_date,
    file_id,
    line_number,
    all_deliveries::integer as times_delivered,
    newest_loaded_at as last_loaded_at
from final
where delivery_number = 1
