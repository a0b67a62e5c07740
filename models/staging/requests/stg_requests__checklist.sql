-- The student system's admissions checklist: the newest version of each
-- person, entry term and item (latest file, then latest line), parsed.

with source as (

    select * from {{ source('raw', 'admissions_checklist') }}
    where _parse_error is null

),

trimmed as (

    select
        _file_id as file_id,
        _line_number as line_number,
        {{ blank_to_null('person_id') }} as person_id,
        upper({{ blank_to_null('entry_term') }}) as entry_term,
        upper({{ blank_to_null('item_code') }}) as item_code,
        {{ blank_to_null('received_date') }} as received_date_text,
        {{ blank_to_null('first_requested_date') }} as first_requested_text,
        {{ blank_to_null('last_requested_date') }} as last_requested_text
    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by person_id, entry_term, item_code
            order by file_id desc, line_number desc
        ) as version_rank
    from trimmed
    where person_id is not null and item_code is not null

)

select
    person_id,
    entry_term,
    item_code,
    {{ parse_date('received_date_text') }} as received_date,
    {{ parse_date('first_requested_text') }} as first_requested_date,
    {{ parse_date('last_requested_text') }} as last_requested_date,
    file_id,
    line_number
from ranked
where version_rank = 1
