{{ config(materialized='table', post_hook=["{{ refresh_statistics() }}"]) }}

-- Each distinct date and credits text of the legacy registrations, parsed
-- once: a two-million-line extract has a few thousand distinct dates, so
-- stg_legacy_cert__registrations looks them up instead of parsing each line.
-- A table, so the planner knows how few they are.

with

registered as (

    select registered_on as value_text
    from {{ source('raw', 'legacy_cert_registrations') }}
    group by registered_on

),

completed as (

    select completed_on as value_text
    from {{ source('raw', 'legacy_cert_registrations') }}
    group by completed_on

),

date_texts as (

    select {{ blank_to_null('value_text') }} as value_text from registered
    union
    select {{ blank_to_null('value_text') }} as value_text from completed

),

credit_texts as (

    select {{ blank_to_null('credits') }} as value_text
    from {{ source('raw', 'legacy_cert_registrations') }}
    group by credits

),

final as (

    select
        'date' as value_kind,
        value_text,
        {{ parse_date('value_text') }} as date_value,
        cast(null as {{ dbt.type_numeric() }}) as decimal_value
    from date_texts
    where value_text is not null
    union all
    select distinct
        'credits' as value_kind,
        value_text,
        cast(null as date) as date_value,
        {{ parse_decimal('value_text') }} as decimal_value
    from credit_texts
    where value_text is not null

)

select * from final
