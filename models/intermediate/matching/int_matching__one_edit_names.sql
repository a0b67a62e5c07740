{{ config(
    materialized='table',
    pre_hook=["{{ matching_working_memory() }}"],
    post_hook=["{{ refresh_statistics() }}"],
) }}

-- The first names and surnames of the candidate pairs that are one edit
-- apart (macros/matching/matching_compare.sql): a table of its own, so
-- int_matching__pair_comparisons joins it with its real size known.
-- Grain: name_a (the record's name key), name_b (the person's).
with

pairs as (

    select * from {{ ref('int_matching__pairs') }}
    where person_id is not null

),

{{ matching_one_edit_ctes('pairs') }},

final as (

    select
        name_a,
        name_b
    from one_edit_pairs

)

select * from final
