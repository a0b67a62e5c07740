{% test admissions_columns_in_layout(model) %}
    {#- Every layout_fields row names a column of layout_columns (same format and version). -#}
    select f.*
    from {{ model }} as f
    left join {{ ref('layout_columns') }} as c
        on f.format_name = c.format_name
        and f.layout_version = c.layout_version
        and f.column_name = c.column_name
    where c.column_name is null
{% endtest %}
