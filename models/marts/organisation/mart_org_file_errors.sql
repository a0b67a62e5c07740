-- The organisation's own files: every problem of every landed line, with the
-- file's name (the rules: int_org_file_lines_checked).
with

checks as (

    select * from {{ ref('int_org_file_lines_checked') }}

),

files as (

    select * from {{ ref('stg_raw__file_manifest') }}

),

final as (

    select
        md5(
            checks.format_name || '|' || cast(checks.file_id as text) || '|'
            || cast(checks.line_number as text) || '|' || coalesce(checks.field, '') || '|'
            || checks.reason
        ) as error_id,
        checks.file_id,
        files.file_name,
        checks.format_name,
        checks.line_number,
        checks.field,
        checks.field_value,
        checks.reason
    from checks
    left join files
        on checks.file_id = files.file_id

)

select * from final
