{{ config(
    materialized='table',
    unlogged=true,
    indexes=[{'columns': ['seqn']}],
    post_hook=["{{ refresh_statistics() }}"],
) }}

-- The legacy registrations as they stand: each SEQN's lines in its newest
-- file, typed; the *_text columns keep what was delivered, for messages.
-- A table (the extract can hold millions of lines; the problems and the
-- enrollments both read it), indexed on seqn for the migration's batches;
-- unlogged where the database has such tables (it is rebuilt from raw).
-- Dates and credits are parsed once per distinct text
-- (stg_legacy_cert__registration_values), not once per line.

with

lines as (

    {{ legacy_cert_lines('legacy_cert_registrations', ['seqn'], [
        'seqn', 'student_id', 'program_code', 'component_code', 'registered_on',
        'status', 'completed_on', 'grade', 'credits',
    ]) }}

),

values_parsed as (

    select * from {{ ref('stg_legacy_cert__registration_values') }}

),

final as (

    select
        l.seqn,
        l.student_id,
        l.program_code,
        l.component_code,
        registered.date_value as registered_on,
        l.registered_on as registered_on_text,
        case lower(l.status)
            when 'registered' then 'Registered'
            when 'completed' then 'Completed'
            when 'cancelled' then 'Cancelled'
            when 'canceled' then 'Cancelled'
        end as status,
        l.status as status_text,
        completed.date_value as completed_on,
        l.completed_on as completed_on_text,
        l.grade,
        c.decimal_value as credits,
        l.credits as credits_text,
        l.file_id,
        l.line_number,
        l.parse_error,
        l.lines_with_key
    from lines as l
    left join values_parsed as registered
        on registered.value_kind = 'date' and l.registered_on = registered.value_text
    left join values_parsed as completed
        on completed.value_kind = 'date' and l.completed_on = completed.value_text
    left join values_parsed as c
        on c.value_kind = 'credits' and l.credits = c.value_text

)

select * from final
