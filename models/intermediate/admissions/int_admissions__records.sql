-- Every landed line of every admissions file: what the load audit counts and
-- what the fixed-width record-length check reads. A non-blank fixed-width
-- record whose length is not the length of the layout version its file is
-- read with is_record_length_wrong: its fields are garbage, so it gives no
-- score and one record_length error row (mart_score_errors); whether the
-- whole file is quarantined is int_admissions__files_quarantined's call.
with

file_layouts as (

    select * from {{ ref('int_admissions__file_layouts_chosen') }}

),
{% for format_name in admissions_formats() %}
    {{ format_name }} as (

        select
            '{{ format_name }}' as format_name,
            file_id,
            line_number,
            loaded_at,
            parse_error,
            layout_version,
            {{ 'record_length' if not format_name.endswith('_csv') else 'cast(null as integer) as record_length' }}
        from {{ ref(admissions_parsed_model(format_name)) }}
        where {{ admissions_landed_since() }}

    ),
{% endfor %}
unioned as (
    {% for format_name in admissions_formats() %}
        select * from {{ format_name }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (

    select
        u.*,
        l.expected_record_length,
        coalesce(
            u.record_length > 0 and u.record_length <> l.expected_record_length, false
        ) as is_record_length_wrong
    from unioned as u
    left join file_layouts as l
        on u.file_id = l.file_id

)

select * from final
