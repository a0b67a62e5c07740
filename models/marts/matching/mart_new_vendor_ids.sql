-- Vendor ids the student system does not know yet, learned from matched
-- records (automatically or by a person's decision): an outbound file, so
-- the next file from that vendor matches by id. One row per person, id type
-- and id, with the first record that taught it.
with

matches as (

    select * from {{ ref('int_matching__outcomes') }}
    where
        outcome = 'matched'
        and id_type is not null
        and vendor_person_id is not null

),

known as (

    select * from {{ ref('stg_matching__person_ids') }}

),

ranked as (

    select
        m.*,
        row_number() over (
            partition by m.person_id, m.id_type, m.vendor_person_id
            order by m.received_at, m.file_id, m.line_number
        ) as arrival
    from matches as m
    where not exists (
        select 1 from known as k
        where
            m.person_id = k.person_id
            and m.id_type = k.id_type
            and m.vendor_person_id = k.id_value
    )

),

final as (

    select
        person_id,
        id_type,
        vendor_person_id as id_value,
        file_name,
        line_number,
        record_id,
        match_rule
    from ranked
    where arrival = 1

)

select * from final
