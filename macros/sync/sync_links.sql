{% macro sync_link_states(entity, a_model, a_key, link_column, b_model, b_key) -%}
    {#- One row per side-A record of an entity: its B id and the state of
        its link: linked (one A record to one existing B record), unlinked
        (no B id kept on A), dangling (the B id is not on side B), shared
        (more than one A record keeps this B id). -#}
    select
        '{{ entity }}' as entity,
        a.{{ a_key }} as a_id,
        a.{{ link_column }} as b_id,
        case
            when a.{{ link_column }} is null then 'unlinked'
            when b.{{ b_key }} is null then 'dangling'
            when count(*) over (partition by a.{{ link_column }}) > 1 then 'shared'
            else 'linked'
        end as link_state
    from {{ ref(a_model) }} as a
    left join {{ ref(b_model) }} as b
        on a.{{ link_column }} = b.{{ b_key }}
{%- endmacro %}


{% macro sync_field(entity, field, a_value, b_value, action, from, a_key=none, b_key=none) -%}
    {#- The rows of one compared field whose two values differ; a_key and
        b_key, when given, are what is compared (email without case), the
        values what is shown and sent. -#}
    select
        '{{ entity }}' as entity,
        a_id,
        b_id,
        '{{ field }}' as field_name,
        cast({{ a_value }} as {{ dbt.type_string() }}) as a_value,
        cast({{ b_value }} as {{ dbt.type_string() }}) as b_value,
        {{ action }} as sync_action
    from {{ from }}
    where {{ sync_differs(a_key or a_value, b_key or b_value) }}
{%- endmacro %}


{% macro sync_field_rows(entity, id_expr, fields, from) -%}
    {#- One row per record of `from` and field: fields is a list of [name, SQL]. -#}
    {%- for name, expr in fields %}
        {%- if not loop.first %}
    union all
        {%- endif %}
    select
        '{{ entity }}' as entity,
        {{ id_expr }} as a_id,
        '{{ name }}' as field_name,
        cast({{ expr }} as {{ dbt.type_string() }}) as field_value
    from {{ from }}
    {%- endfor %}
{%- endmacro %}
