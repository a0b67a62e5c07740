{{ config(materialized='table') }}

-- The organisation's persons as they stand, normalised the same way as the
-- incoming records (macros/matching/matching_normalise.sql).
with

persons as (

    select * from {{ ref('stg_matching__persons') }}

),

keyed as (

    {{ matching_keys('persons') }}

),

final as (

    {{ matching_normalised('keyed') }}

)

select * from final
