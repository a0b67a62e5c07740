-- Generated from seeds/layouts/layout_fields.csv (macros/admissions/admissions_checks.sql):
-- one row per score present in a record, before quarantine, translation and dedupe.
{# The component crosswalks are read inside the generated SQL: declare them. #}
{% do ref('xwalk_ap__exam_codes') %}
{% do ref('xwalk_gre__score_types') %}
with
{% for format_name in admissions_formats() %}
    {{ format_name }} as (
        {{ admissions_score_rows(format_name, admissions_parsed_model(format_name)) }}
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
