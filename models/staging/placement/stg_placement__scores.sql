-- Holding rows: every landed line of every placement_csv export from the LMS,
-- parsed. (Raw column names are the headers in lower case: StudentID lands as
-- studentid.)

with source as (

    select * from {{ source('raw', 'placement_csv') }}

),

trimmed as (

    select
        _file_id as file_id,
        _line_number as line_number,
        _parse_error as parse_error,
        _raw_record as raw_record,
        {{ blank_to_null('studentid') }} as student_id,
        upper({{ blank_to_null('testcode') }}) as test_code,
        {{ blank_to_null('score') }} as score_text,
        {{ blank_to_null('completedat') }} as completed_at_text
    from source

)

select
    file_id,
    line_number,
    parse_error,
    raw_record,
    student_id,
    test_code,
    score_text,
    {{ parse_integer('score_text') }} as score,
    completed_at_text,
    case
        when completed_at_text ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?)?$'
            then
                {{ parse_date('left(completed_at_text, 10)', ['YYYY-MM-DD']) }}
                + coalesce(nullif(substr(completed_at_text, 12), '')::time, time '00:00')
    end as completed_at
from trimmed
