-- Academic terms, newest version of each term code.

with source as (

    select * from {{ source('raw', 'terms') }}
    where _parse_error is null

),

trimmed as (

    select
        _file_id as file_id,
        _line_number as line_number,
        upper({{ blank_to_null('term_code') }}) as term_code,
        {{ blank_to_null('start_date') }} as start_date_text,
        {{ blank_to_null('end_date') }} as end_date_text
    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by term_code order by file_id desc, line_number desc
        ) as version_rank
    from trimmed
    where term_code is not null

)

select
    term_code,
    {{ parse_date('start_date_text') }} as start_date,
    {{ parse_date('end_date_text') }} as end_date
from ranked
where version_rank = 1
