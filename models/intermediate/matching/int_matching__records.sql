{{ config(
    materialized='incremental',
    post_hook=["{{ refresh_statistics() }}"],
) }}

-- Every incoming person record: one per admissions score file line, the
-- vendor's person fields as delivered, normalised for matching, and why the
-- record may not be matched automatically. Incremental: a build adds the
-- lines of files it has not seen; a record never changes once here. A
-- purged record (`match purge`) is left out.
with

scores as (

    select * from {{ ref('int_admissions__scores') }} as s
    {% if is_incremental() %}
        -- not exists, not `not in`: a `not in` list larger than work_mem is
        -- not hashed, and PostgreSQL then scans it once per score (a nightly
        -- build on 400,000 records of history ran for minutes here).
        where
            not exists (
                select 1 from {{ this }} as t
                where t.file_id = s.file_id
            )
    {% endif %}

),

id_types as (

    select * from {{ ref('matching_vendor_id_types') }}

),

manifest as (

    select * from {{ ref('stg_raw__file_manifest') }}

),

-- Records a purge took out (ops.match_purged_records) stay out.
purged as (

    select * from {{ ref('stg_ops__match_purged_records') }}

),

-- A line gives one row per score: its person fields are the same on each.
lines as (

    select
        format_name,
        file_id,
        line_number,
        max(file_name) as file_name,
        max(vendor_person_id) as vendor_person_id,
        max(first_name) as first_name,
        max(middle_name) as middle_name,
        max(last_name) as last_name,
        max(birth_date) as birth_date,
        max(gender) as gender,
        max(email) as email,
        max(phone) as phone,
        max(ssn) as ssn,
        max(address_line1) as street,
        max(city) as city,
        max(state) as state,
        max(zip) as zip,
        max(country) as country
    from scores
    group by format_name, file_id, line_number

),

keyed as (

    {{ matching_keys('lines') }}

),

normalised as (

    {{ matching_normalised('keyed') }}

),

final as (

    select
        cast(n.file_id as {{ dbt.type_string() }}) || ':'
        || cast(n.line_number as {{ dbt.type_string() }}) as record_id,
        n.*,
        i.id_type,
        coalesce(m.landed_at, m.received_at) as received_at,
        case
            when n.first_key is null and n.last_key is null then 'no name'
            when n.last_key is null then 'no surname'
            when n.first_key is null then 'no first name'
            when n.birth_date is null then 'no birth date, or not a real day'
            when n.birth_date < cast('1900-01-01' as date) then 'birth date before 1900'
            when n.birth_date > {{ dbt.current_timestamp() }} then 'birth date in the future'
        end as invalid_reason,
        {{ dbt.current_timestamp() }} as recorded_at
    from normalised as n
    left join id_types as i
        on n.format_name = i.format_name
    left join manifest as m
        on n.file_id = m.file_id
    left join purged as p
        on
            n.file_id = p.file_id
            and n.line_number = p.line_number
    where p.record_id is null

)

select * from final
