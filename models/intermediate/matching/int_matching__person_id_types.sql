-- Which vendors' ids the organisation knows for each person (a person with a
-- known ACT id and a record with another ACT id disagree on vendor_id).
with

person_ids as (

    select * from {{ ref('stg_matching__person_ids') }}

),

final as (

    select distinct
        person_id,
        id_type
    from person_ids

)

select * from final
