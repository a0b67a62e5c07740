-- Every problem with a landed result line: one row per line and failed rule,
-- with the field, its value and the reason. A line with any row here is not
-- a result (int_credentialing__results leaves it out); the rest of its file
-- still loads. A file whose header lacks a required column never gets here:
-- landing quarantines it whole (is_required in seeds/layouts/layout_columns.csv).
-- Length limits are data too: max_length in that seed.
-- Incremental: each build checks only the lines landed after the newest
-- landing already checked (_loaded_at); delete+insert by file, so a file
-- landed again replaces its rows. Each file checked also leaves one row with
-- no line and no reason: without it, a history of clean files would leave
-- nothing to tell the next build where to start. Readers take the rows with a
-- reason.

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='file_id',
    on_schema_change='fail',
    post_hook='{{ refresh_statistics() }}',
) }}

with results as (

    select * from {{ ref('stg_credentialing__results') }}
    {% if is_incremental() %}
        where loaded_at > (select coalesce(max(t.loaded_at), '-infinity') from {{ this }} as t)
    {% endif %}

),

files_checked as (

    select
        file_id,
        cast(null as bigint) as line_number,
        max(loaded_at) as loaded_at,
        cast(null as text) as field,
        cast(null as text) as field_value,
        cast(null as text) as reason
    from results
    group by file_id

),

problems as (

    select
        results.file_id,
        results.line_number,
        results.loaded_at,
        checks.field,
        checks.field_value,
        checks.reason
    from results
    cross join
        lateral (
            values
            (
                null,
                results.raw_record,
                results.parse_error
            ),
            (
                'CandidateID',
                results.candidate_id,
                case when results.candidate_id is null then 'missing candidate id' end
            ),
            (
                'ExamCode',
                results.exam_code,
                case when results.exam_code is null then 'missing exam code' end
            ),
            (
                'Result',
                results.result_text,
                case
                    when results.result_text is null then 'missing result code'
                    when results.result_code is null
                        then 'unknown result code (expected PASS/P, FAIL/F or NOSHOW/NS)'
                end
            ),
            (
                'TestDate',
                results.test_date_text,
                case
                    when results.test_date_text is null then 'missing test date'
                    when results.test_date is null
                        then 'not a real date in the form YYYY-MM-DD or MM/DD/YYYY'
                    when results.test_date > current_date then 'test date in the future'
                end
            ),
            (
                'ResultDate',
                results.result_date_text,
                case
                    when results.result_date_text is not null and results.result_date is null
                        then 'not a real date in the form YYYY-MM-DD or MM/DD/YYYY'
                end
            ),
            (
                'Score',
                results.score_text,
                case
                    when results.score_text is not null and results.score is null
                        then 'score is not a whole number'
                    when results.score_text is not null and results.result_code = 'NOSHOW'
                        then 'a no-show has a score'
                end
            ),
            (
                'PassingScore',
                results.passing_score_text,
                case
                    when results.passing_score_text is not null and results.passing_score is null
                        then 'passing score is not a whole number'
                end
            )
        ) as checks (field, field_value, reason)
    where
        checks.reason is not null
        -- a line that did not parse has only its parse error
        and (results.parse_error is null or checks.field is null)

),

limits as (

    select
        column_name,
        max(max_length) as max_length
    from {{ ref('layout_columns') }}
    where
        format_name = 'prometric_results'
        and max_length is not null
    group by column_name

),

-- Each present value of a line that parsed, by its header name.
field_values as (
    {%- set fields = [
        ('CandidateID', 'candidate_id'), ('EligibilityID', 'eligibility_id'),
        ('LastName', 'last_name'), ('FirstName', 'first_name'),
        ('ExamCode', 'exam_code'), ('TestDate', 'test_date_text'),
        ('TestCenter', 'test_center'), ('Score', 'score_text'),
        ('PassingScore', 'passing_score_text'), ('Result', 'result_text'),
        ('ResultDate', 'result_date_text'),
    ] %}
    {%- for header, column in fields %}
        {%- if not loop.first %}

            union all
        {%- endif %}

        select
            file_id,
            line_number,
            loaded_at,
            '{{ header }}' as field,
            {{ column }} as field_value
        from results
        where
            {{ column }} is not null
            and parse_error is null
    {%- endfor %}

),

too_long as (

    select
        v.file_id,
        v.line_number,
        v.loaded_at,
        v.field,
        v.field_value,
        cast({{ dbt.length('v.field_value') }} as text)
        || ' characters, longer than the limit of ' || cast(l.max_length as text)
        || ' (max_length in layout_columns)' as reason
    from field_values as v
    inner join limits as l
        on v.field = l.column_name
    where {{ dbt.length('v.field_value') }} > l.max_length

)

select * from problems
union all
select * from too_long
union all
select * from files_checked
