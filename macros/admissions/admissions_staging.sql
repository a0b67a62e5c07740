-- noqa: disable=LT02
-- Indentation is set for the SQL these macros generate (see target/compiled), not for
-- the Jinja around it, so the indent rule is off in this file only.

{% macro admissions_staging(format_name) %}
    {#- Generates a staging model from the layout seed: every column the layout
        names, blanks and dashes made null, integers, numbers and dates parsed.
        Each typed column keeps its cleaned text beside it (`<column>__text`),
        so the errors model can show the value that failed. -#}
    {%- set layout = admissions_layout(format_name) -%}
    {%- set is_fixed = not format_name.endswith('_csv') %}
with

source as (

    select * from {{ source('raw', format_name) }}

),

cleaned as (

    select
        _file_id as file_id,
        _line_number as line_number,
        _load_id as load_id,
        _parse_error as parse_error,
        _raw_record as raw_record
        {%- if is_fixed %},
        record,
        length(record) as record_length
        {%- endif %}
        {%- for col in layout %},
        {%- if is_fixed %}
        {{ admissions_missing('substr(record, ' ~ col.start ~ ', ' ~ (col.end - col.start + 1) ~ ')') }} as {{ col.column }}
        {%- else %}
        {{ admissions_missing(col.column) }} as {{ col.column }}
        {%- endif %}
        {%- endfor %}
    from source

),

final as (

    select
        file_id,
        line_number,
        load_id,
        parse_error,
        {%- if is_fixed %}
        coalesce(raw_record, record) as raw_record,
        record_length
        {%- else %}
        raw_record
        {%- endif %}
        {%- for col in layout %},
        {%- if col.type == 'integer' %}
        {{ admissions_parse_integer(col.column) }} as {{ col.column }},
        {{ col.column }} as {{ col.column }}__text
        {%- elif col.type == 'numeric' %}
        {{ admissions_parse_numeric(col.column) }} as {{ col.column }},
        {{ col.column }} as {{ col.column }}__text
        {%- elif col.type == 'date' %}
        {{ admissions_parse_date(col.column, col.date_format) }} as {{ col.column }},
        {{ col.column }} as {{ col.column }}__text
        {%- else %}
        {{ col.column }}
        {%- endif %}
        {%- endfor %}
    from cleaned

)

select * from final
{% endmacro %}
