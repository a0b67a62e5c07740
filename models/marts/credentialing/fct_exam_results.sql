-- Incremental (merge on result_id): a build rewrites the results whose match
-- int_credentialing__result_matches rewrote since this table's newest row;
-- that covers every result landed or delivered again since.

{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key='result_id',
    on_schema_change='fail',
    post_hook='{{ refresh_statistics() }}',
    indexes=[
        {'columns': ['result_id'], 'unique': True},
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
    results.times_delivered::integer as times_delivered,
    {{ rebuilt_at() }} as rebuilt_at
from matches
inner join results
    on matches.result_id = results.result_id
