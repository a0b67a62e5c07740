-- The legacy components as they stand: each component code's lines in its
-- newest file, typed; the *_text columns keep what was delivered.

with

lines as (

    {{ legacy_cert_lines('legacy_cert_components', ['component_code'], [
        'component_code', 'title', 'description', 'address', 'prerequisites',
        'instructors', 'credits',
    ]) }}

),

final as (

    select
        component_code,
        title,
        description,
        address,
        prerequisites,
        instructors,
        {{ parse_decimal('credits') }} as credits,
        credits as credits_text,
        file_id,
        line_number,
        parse_error
    from lines

)

select * from final
