-- Newer contact details for matched persons: a matched record whose
-- address, email or phone differs from the person's, from a file received
-- after the persons file that holds the person's current row. An outbound
-- file for the student system with the old and new values and the file they
-- came from; the organisation's record is never overwritten here. One row per
-- person and field: the newest record's value.
with

matches as (

    select * from {{ ref('int_matching__outcomes') }}
    where outcome = 'matched'

),

records as (

    select * from {{ ref('int_matching__records') }}

),

persons as (

    select * from {{ ref('int_matching__persons') }}

),

manifest as (

    select * from {{ ref('stg_raw__file_manifest') }}

),

paired as (

    select
        m.person_id,
        m.record_id,
        r.file_name,
        r.line_number,
        r.received_at,
        r.email as new_email,
        r.email_key as new_email_key,
        r.phone as new_phone,
        r.phone_key as new_phone_key,
        r.street as new_street,
        r.city as new_city,
        r.state as new_state,
        r.zip as new_zip,
        r.street_key as new_street_key,
        r.zip5 as new_zip5,
        p.email as old_email,
        p.email_key as old_email_key,
        p.phone_key as old_phone_key,
        p.street as old_street,
        p.city as old_city,
        p.state as old_state,
        p.zip as old_zip,
        p.street_key as old_street_key,
        p.zip5 as old_zip5
    from matches as m
    inner join records as r
        on m.record_id = r.record_id
    inner join persons as p
        on m.person_id = p.person_id
    left join manifest as pf
        on p.file_id = pf.file_id
    where r.received_at > coalesce(pf.landed_at, pf.received_at)

),

changes as (

    select
        person_id,
        record_id,
        file_name,
        line_number,
        received_at,
        'email' as field,
        old_email as old_value,
        new_email as new_value
    from paired
    where new_email_key is not null and new_email_key <> coalesce(old_email_key, '')
    union all
    select
        person_id,
        record_id,
        file_name,
        line_number,
        received_at,
        'phone' as field,
        cast(null as {{ dbt.type_string() }}) as old_value,
        new_phone as new_value
    from paired
    where new_phone_key is not null and new_phone_key <> coalesce(old_phone_key, '')
    union all
    select
        person_id,
        record_id,
        file_name,
        line_number,
        received_at,
        'address' as field,
        {{ matching_address_text('old_street', 'old_city', 'old_state', 'old_zip') }} as old_value,
        {{ matching_address_text('new_street', 'new_city', 'new_state', 'new_zip') }} as new_value
    from paired
    where
        new_street_key is not null
        and new_zip5 is not null
        and (
            new_street_key <> coalesce(old_street_key, '')
            or new_zip5 <> coalesce(old_zip5, '')
        )

),

ranked as (

    select
        c.*,
        row_number() over (
            partition by c.person_id, c.field
            order by c.received_at desc, c.record_id desc
        ) as newest_first
    from changes as c

),

final as (

    select
        person_id,
        field,
        old_value,
        new_value,
        file_name,
        line_number,
        record_id,
        received_at
    from ranked
    where newest_first = 1

)

select * from final
