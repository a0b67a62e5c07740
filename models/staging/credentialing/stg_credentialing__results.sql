-- One row per landed line of every prometric_results file, parsed: trimmed
-- (Raw column names are the file's headers in lower case: CandidateID lands as candidateid.)
-- text, the result code normalised, both date forms read, scores cast. Values
-- that do not parse are null here; int_credentialing__result_checks says why.

with source as (

    select * from {{ source('raw', 'prometric_results') }}

),

trimmed as (

    select
        _file_id as file_id,
        _line_number as line_number,
        _loaded_at as loaded_at,
        _parse_error as parse_error,
        _raw_record as raw_record,
        {{ blank_to_null('candidateid') }} as candidate_id,
        {{ blank_to_null('eligibilityid') }} as eligibility_id,
        {{ blank_to_null('lastname') }} as last_name,
        {{ blank_to_null('firstname') }} as first_name,
        upper({{ blank_to_null('examcode') }}) as exam_code,
        {{ blank_to_null('testdate') }} as test_date_text,
        {{ blank_to_null('testcenter') }} as test_center,
        {{ blank_to_null('score') }} as score_text,
        {{ blank_to_null('passingscore') }} as passing_score_text,
        upper({{ blank_to_null('result') }}) as result_text,
        {{ blank_to_null('resultdate') }} as result_date_text
    from source

)

select
    file_id,
    line_number,
    loaded_at,
    parse_error,
    raw_record,
    candidate_id,
    eligibility_id,
    last_name,
    first_name,
    exam_code,
    test_date_text,
    {{ parse_date('test_date_text') }} as test_date,
    test_center,
    score_text,
    {{ parse_integer('score_text') }} as score,
    passing_score_text,
    {{ parse_integer('passing_score_text') }} as passing_score,
    result_text,
    case
        when result_text in ('PASS', 'P') then 'PASS'
        when result_text in ('FAIL', 'F') then 'FAIL'
        when result_text in ('NOSHOW', 'NS', 'NO-SHOW', 'NO SHOW') then 'NOSHOW'
    end as result_code,
    result_date_text,
    {{ parse_date('result_date_text') }} as result_date
from trimmed
