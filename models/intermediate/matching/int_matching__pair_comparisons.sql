{{ config(
    materialized='table',
    pre_hook=["{{ matching_working_memory() }}"],
    post_hook=["{{ refresh_statistics() }}"],
) }}

-- How each candidate pair of int_matching__pairs compared: one level per
-- comparison (macros/matching/matching_compare.sql, levels and their
-- meaning in seeds/matching/matching_comparison_levels.csv) and the
-- frequencies of the person's names. Grain: record_id, person_id.
with

pairs as (

    select * from {{ ref('int_matching__pairs') }}
    where person_id is not null

),

{{ matching_compare_ctes('pairs', ref('int_matching__one_edit_names')) }},

final as (

    select * from compared

)

select * from final
