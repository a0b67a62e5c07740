-- Generated from seeds/layouts/layout_columns.csv (macros/admissions/admissions_checks.sql):
-- every typed or required value of every admissions file, with the first rule it breaks.
with
{% for format_name in admissions_formats() %}
    {{ format_name }} as (
        {{ admissions_field_checks(format_name, admissions_parsed_model(format_name)) }}
    ),
{% endfor %}
unioned as (
    {% for format_name in admissions_formats() %}
        select * from {{ format_name }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from unioned
