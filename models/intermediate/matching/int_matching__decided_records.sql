-- Records a person decided (same_person or new_person), with their vendor
-- ids: a later record with the same vendor id is not asked about again (it
-- matches the decided person, or is the same new person).
with

decisions as (

    select * from {{ ref('stg_ops__match_decisions') }}

),

records as (

    select * from {{ ref('int_matching__records') }}

),

final as (

    select
        d.decision,
        d.person_id,
        dr.id_type,
        dr.vendor_person_id
    from decisions as d
    inner join records as dr
        on d.record_id = dr.record_id
    where
        d.decision in ('same_person', 'new_person')
        and dr.id_type is not null
        and dr.vendor_person_id is not null

)

select * from final
