-- The organisation's person records: the newest version of each person (the
-- latest file, then the latest line), parsed.

with source as (

    select * from {{ source('raw', 'persons') }}
    where _parse_error is null

),

trimmed as (

    select
        _file_id as file_id,
        _line_number as line_number,
        {{ blank_to_null('person_id') }} as person_id,
        {{ blank_to_null('last_name') }} as last_name,
        {{ blank_to_null('first_name') }} as first_name,
        {{ blank_to_null('middle_name') }} as middle_name,
        {{ blank_to_null('birth_date') }} as birth_date_text,
        {{ blank_to_null('email') }} as email,
        {{ blank_to_null('gender') }} as gender
    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by person_id order by file_id desc, line_number desc
        ) as version_rank
    from trimmed
    where person_id is not null

)

select
    person_id,
    last_name,
    first_name,
    middle_name,
    {{ parse_date('birth_date_text') }} as birth_date,
    email,
    gender,
    file_id,
    line_number
from ranked
where version_rank = 1
