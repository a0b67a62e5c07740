-- noqa: disable=LT02
-- Indentation is set for the SQL this macro generates (see target/compiled), not for
-- the Jinja around it, so the indent rule is off in this file only.

{% macro admissions_staging(format_name) %}
    {#- A format's raw table, renamed: the loader columns without their
        underscore, then (fixed width) the record and its length, or (CSV)
        every text column the loader wrote, as landed. What a column means
        depends on each file's layout version, so picking, trimming and
        parsing happen in int_admissions__<entity>_parsed. A CSV column named
        like a loader column (a header `File ID`) is left out: no layout
        column may have such a name. -#}
    {%- set relation = source('raw', format_name) -%}
    {%- set is_fixed = not format_name.endswith('_csv') -%}
    {%- set loader_names = ['file_id', 'line_number', 'load_id', 'loaded_at', 'parse_error', 'raw_record'] -%}
    {%- set text_columns = [] -%}
    {%- if execute and not is_fixed -%}
        {#- Header columns are added by the loader as files arrive, so they are read from the table. -#}
        {%- for col in adapter.get_columns_in_relation(relation)
            if not col.name.startswith('_') and col.name not in loader_names -%}
            {%- do text_columns.append(col.name) -%}
        {%- endfor -%}
    {%- endif %}
with

source as (

    select * from {{ relation }}

),

final as (

    select
        _file_id as file_id,
        _line_number as line_number,
        _load_id as load_id,
        _loaded_at as loaded_at,
        _parse_error as parse_error,
        _raw_record as raw_record
        {%- if is_fixed %},
        record,
        length(record) as record_length
        {%- endif %}
        {%- for column_name in text_columns %},
        {{ column_name }}
        {%- endfor %}
    from source

)

select * from final
{% endmacro %}
