{{ config(materialized='table', post_hook=["{{ refresh_statistics() }}"]) }}

-- Records whose outcome is new, each with the proposal (the one new person)
-- it belongs to. Records of one new person become one proposal, within a
-- file and across files: records with the same vendor id are one person
-- (the earliest such record's name and birth date stand for all of them),
-- and records with the same normalised first name, surname and birth date
-- are one person. proposal_id is the record_id of the proposal's first record.
-- Grain: one row per new record.
with

outcomes as (

    select * from {{ ref('int_matching__outcomes') }}
    where outcome = 'new'

),

records as (

    select * from {{ ref('int_matching__records') }}

),

new_records as (

    select r.*
    from records as r
    inner join outcomes as o
        on r.record_id = o.record_id

),

identities as (

    select
        *,
        coalesce(first_key, '') || '|' || coalesce(last_key, '') || '|'
        || coalesce(birth_text, record_id) as own_identity
    from new_records

),

-- The identity of the earliest record with each vendor id.
by_vendor_id as (

    select
        id_type,
        vendor_person_id,
        own_identity as vendor_identity
    from (
        select
            id_type,
            vendor_person_id,
            own_identity,
            row_number() over (
                partition by id_type, vendor_person_id
                order by received_at, file_id, line_number
            ) as arrival
        from identities
        where vendor_person_id is not null
    ) as firsts
    where arrival = 1

),

grouped as (

    select
        i.*,
        coalesce(v.vendor_identity, i.own_identity) as person_identity
    from identities as i
    left join by_vendor_id as v
        on
            i.id_type = v.id_type
            and i.vendor_person_id = v.vendor_person_id

),

final as (

    select
        g.*,
        first_value(g.record_id) over (
            partition by g.person_identity
            order by g.received_at, g.file_id, g.line_number
            rows between unbounded preceding and unbounded following
        ) as proposal_id,
        row_number() over (
            partition by g.person_identity
            order by g.received_at desc, g.file_id desc, g.line_number desc
        ) as newest_first
    from grouped as g

)

select * from final
