-- The legacy programs as they stand: each program code's lines in its newest
-- file, typed; the *_text columns keep what was delivered, for messages.

with

lines as (

    {{ legacy_cert_lines('legacy_cert_programs', ['program_code'], [
        'program_code', 'title', 'description', 'established', 'industry_code',
        'uf_1', 'uf_2', 'uf_3', 'uf_4', 'coordinators', 'notes', 'prerequisites',
        'is_active',
    ]) }}

),

final as (

    select
        program_code,
        title,
        description,
        established,
        industry_code,
        uf_1,
        uf_2,
        uf_3,
        uf_4,
        coordinators,
        notes,
        prerequisites,
        {{ cert_yes_no('is_active') }} as is_active,
        is_active as is_active_text,
        file_id,
        line_number,
        parse_error
    from lines

)

select * from final
