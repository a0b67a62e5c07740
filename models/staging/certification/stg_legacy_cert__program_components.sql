-- The legacy program-component links as they stand: each pair's lines in its
-- newest file, typed; the *_text columns keep what was delivered.

with

lines as (

    {{ legacy_cert_lines('legacy_cert_program_components', ['program_code', 'component_code'], [
        'program_code', 'component_code', 'required', 'sequence',
    ]) }}

),

final as (

    select
        program_code,
        component_code,
        {{ cert_yes_no('required') }} as is_required,
        required as required_text,
        {{ parse_integer('sequence') }} as sequence_number,
        sequence as sequence_text,
        file_id,
        line_number,
        parse_error
    from lines

)

select * from final
