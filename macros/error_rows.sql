{% macro error_rows(checks) -%}
    {#- The rows of a checks model (file_id, line_number, field, field_value,
        reason) as an errors mart: a stable error_id and the file's name. -#}
    with checks as (

        select * from {{ checks }}

    ),

    files as (

        select * from {{ ref('stg_raw__file_manifest') }}

    )

    select
        md5(
            checks.file_id || '|' || checks.line_number || '|'
            || coalesce(checks.field, '') || '|' || checks.reason
        ) as error_id,
        checks.file_id,
        files.file_name,
        checks.line_number,
        checks.field,
        checks.field_value,
        checks.reason
    from checks
    left join files
        on checks.file_id = files.file_id
{%- endmacro %}
