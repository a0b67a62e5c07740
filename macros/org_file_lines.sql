{% macro org_file_lines(table, columns) -%}
    {#- Every landed line of one of the organisation's raw tables, values
        trimmed (blanks are null), nothing dropped: a line that did not
        parse keeps its text and parse error. The body of the
        stg_organisation__<entity>_lines models. -#}
    with source as (

        select * from {{ source('raw', table) }}

    ),

    final as (

        select
            _file_id as file_id,
            _line_number as line_number,
            _parse_error as parse_error,
            _raw_record as raw_record,
    {%- for column in columns %}
        {{ blank_to_null(column) }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
        from source

    )

    select * from final
{%- endmacro %}
