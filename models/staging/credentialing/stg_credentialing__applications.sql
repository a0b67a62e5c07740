-- Every version of every application the organisation sent: one row per
-- landed line of an applications file, parsed. Later files carry newer
-- versions; int_credentialing__applications picks the one that applies.
-- Incremental, unlike the other staging models: every build reads all
-- versions (matching, retakes, current status), and parsing them all again
-- costs more than the day's work. A build parses the lines landed after the
-- newest one here; delete+insert by file, so a file landed again replaces its
-- rows.

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='file_id',
    on_schema_change='fail',
    post_hook='{{ refresh_statistics() }}',
    indexes=[
        {'columns': ['application_id']},
        {'columns': ['person_id', 'exam_code']},
        {'columns': ['loaded_at']},
    ],
) }}

with source as (

    select * from {{ source('raw', 'applications') }}
    where
        _parse_error is null
        {% if is_incremental() %}
            and _loaded_at > (select coalesce(max(t.loaded_at), '-infinity') from {{ this }} as t)
        {% endif %}

),

trimmed as (

    select
        _file_id as file_id,
        _line_number as line_number,
        _loaded_at as loaded_at,
        {{ blank_to_null('application_id') }} as application_id,
        {{ blank_to_null('person_id') }} as person_id,
        upper({{ blank_to_null('exam_code') }}) as exam_code,
        {{ blank_to_null('submitted_at') }} as submitted_at_text,
        {{ blank_to_null('status') }} as status_text,
        {{ blank_to_null('eligibility_start') }} as eligibility_start_text,
        {{ blank_to_null('eligibility_end') }} as eligibility_end_text,
        {{ blank_to_null('accommodations') }} as accommodations
    from source

)

select
    file_id,
    line_number,
    loaded_at,
    application_id,
    person_id,
    exam_code,
    {{ parse_date('submitted_at_text') }} as submitted_at,
    case lower(replace(replace(status_text, '-', ''), ' ', ''))
        when 'pending' then 'Pending'
        when 'passed' then 'Passed'
        when 'failed' then 'Failed'
        when 'noshow' then 'No-show'
        when 'withdrawn' then 'Withdrawn'
    end as status,
    status_text,
    {{ parse_date('eligibility_start_text') }} as eligibility_start,
    {{ parse_date('eligibility_end_text') }} as eligibility_end,
    accommodations
from trimmed
where application_id is not null
