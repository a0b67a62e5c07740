-- New persons to create in the student system: one row per proposal (the
-- records of one person the organisation does not have, within a file and
-- across files), names and address in proper case from the newest record,
-- how many records and files it came from, and its vendor ids.
with

new_records as (

    select * from {{ ref('int_matching__new_records') }}

),

cased as (

    select * from {{ ref('int_matching__new_persons_cased') }}

),

newest as (

    select * from new_records
    where newest_first = 1

),

counted as (

    select
        proposal_id,
        count(*) as records,
        count(distinct file_id) as files,
        min(received_at) as first_received_at,
        max(received_at) as last_received_at
    from new_records
    group by proposal_id

),

vendor_ids as (

    select
        proposal_id,
        {{ dbt.listagg("id_type || ' ' || vendor_person_id", "', '", "order by id_type, vendor_person_id") }}
            as vendor_ids
    from (
        select distinct
            proposal_id,
            id_type,
            vendor_person_id
        from new_records
        where vendor_person_id is not null
    ) as ids
    group by proposal_id

),

final as (

    select
        n.proposal_id,
        c.first_name,
        c.middle_name,
        c.last_name,
        n.birth_date,
        n.gender,
        n.email,
        n.phone,
        c.street,
        c.city,
        n.state,
        n.zip,
        n.country,
        v.vendor_ids,
        k.records,
        k.files,
        k.first_received_at,
        k.last_received_at,
        n.file_name as newest_file_name,
        n.line_number as newest_line_number
    from newest as n
    inner join cased as c
        on n.proposal_id = c.proposal_id
    inner join counted as k
        on n.proposal_id = k.proposal_id
    left join vendor_ids as v
        on n.proposal_id = v.proposal_id

)

select * from final
