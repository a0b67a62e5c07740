-- The matching settings (seeds/matching/matching_settings.csv) as one row.
with

settings as (

    select * from {{ ref('matching_settings') }}

),

final as (

    select
        max(case when setting = 'automatic_threshold' then value end) as automatic_threshold,
        max(case when setting = 'review_threshold' then value end) as review_threshold,
        max(case when setting = 'margin' then value end) as margin,
        max(case when setting = 'max_block_size' then value end) as max_block_size,
        max(case when setting = 'max_candidates' then value end) as max_candidates,
        max(case when setting = 'tf_floor' then value end) as tf_floor
    from settings

)

select * from final
