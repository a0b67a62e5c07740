-- The vendor ids the organisation already knows for its persons, once each:
-- id types upper case (ACT, CB, AP, GRE, GMAC, PROMETRIC).

with

id_lines as (

    select * from {{ ref('stg_organisation__person_ids_lines') }}
    where
        parse_error is null
        and person_id is not null
        and id_type is not null
        and id_value is not null

),

final as (

    select distinct
        person_id,
        upper(id_type) as id_type,
        id_value
    from id_lines

)

select * from final
