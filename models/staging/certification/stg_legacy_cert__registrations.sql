-- The legacy registrations as they stand: each SEQN's lines in its newest
-- file, typed; the *_text columns keep what was delivered, for messages.

with

lines as (

    {{ legacy_cert_lines('legacy_cert_registrations', ['seqn'], [
        'seqn', 'student_id', 'program_code', 'component_code', 'registered_on',
        'status', 'completed_on', 'grade', 'credits',
    ]) }}

),

final as (

    select
        seqn,
        student_id,
        program_code,
        component_code,
        {{ parse_date('registered_on') }} as registered_on,
        registered_on as registered_on_text,
        case lower(status)
            when 'registered' then 'Registered'
            when 'completed' then 'Completed'
            when 'cancelled' then 'Cancelled'
            when 'canceled' then 'Cancelled'
        end as status,
        status as status_text,
        {{ parse_date('completed_on') }} as completed_on,
        completed_on as completed_on_text,
        grade,
        {{ cert_parse_decimal('credits') }} as credits,
        credits as credits_text,
        file_id,
        line_number,
        parse_error
    from lines

)

select * from final
