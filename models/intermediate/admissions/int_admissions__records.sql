-- Every landed line of every admissions file: what the load audit counts and
-- what the fixed-width record-length check reads.
with
{% for format_name in admissions_formats() %}
    {{ format_name }} as (

        select
            '{{ format_name }}' as format_name,
            file_id,
            line_number,
            parse_error,
            layout_version,
            {{ 'record_length' if not format_name.endswith('_csv') else 'cast(null as integer) as record_length' }}
        from {{ ref(admissions_parsed_model(format_name)) }}

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
