{% macro error_rows(checks, carry=[]) -%}
    {#- The rows of a checks model (file_id, line_number, field, field_value,
        reason) as an errors mart: a stable error_id and the file's name; the
        columns named in carry (e.g. format_name) follow the file's name. -#}
    with checks as (

        select * from {{ checks }}

    ),

    files as (

        select * from {{ ref('stg_raw__file_manifest') }}

    )

    select
        {{ dbt.hash(dbt.concat([
            'cast(checks.file_id as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(checks.line_number as ' ~ dbt.type_string() ~ ')', "'|'",
            "coalesce(checks.field, '')", "'|'", 'checks.reason'
        ])) }} as error_id,
        checks.file_id,
        files.file_name,
    {%- for column in carry %}
        checks.{{ column }},
    {%- endfor %}
        checks.line_number,
        checks.field,
        checks.field_value,
        checks.reason
    from checks
    left join files
        on checks.file_id = files.file_id
{%- endmacro %}
