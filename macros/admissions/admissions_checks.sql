-- noqa: disable=LT02
-- Indentation is set for the SQL these macros generate (see target/compiled), not for
-- the Jinja around it, so the indent rule is off in this file only.

{% macro admissions_quote(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}


{% macro admissions_version_groups(versions, branches) %}
    {#- Branches of a union generated per layout version, with the versions
        each one serves: a branch that several versions generate alike is
        kept once. `branches` maps a version to its list of SQL texts, each
        ending in a where clause. Returns [(sql, [versions])] in first-seen
        order. -#}
    {%- set served = {} -%}
    {%- set order = [] -%}
    {%- for version in versions -%}
        {%- for sql in branches[version] -%}
            {%- if sql not in served -%}
                {%- do served.update({sql: []}) -%}
                {%- do order.append(sql) -%}
            {%- endif -%}
            {%- do served[sql].append(version) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set out = [] -%}
    {%- for sql in order -%}{%- do out.append((sql, served[sql])) -%}{%- endfor -%}
    {{ return(out) }}
{% endmacro %}


{% macro admissions_version_filter(served, versions) -%}
    {#- Limits a branch to the rows of the layout versions it serves; nothing
        when it serves them all. -#}
    {%- if served | length < versions | length %}
        and layout_version in ({% for v in served %}{{ admissions_quote(v) }}{{ ', ' if not loop.last }}{% endfor %})
    {%- endif -%}
{%- endmacro %}


{% macro admissions_field_checks(format_name, model_name) %}
    {#- One row per checked value of one format: every non-missing typed value
        and every required field, with the first rule it breaks (null when it
        breaks none), by the layout version each file was read with. Rules:
        required, not_an_integer, not_a_number, not_a_date, out_of_range,
        future_date; unreadable records too. -#}
    {%- set rel = ref(model_name) -%}
    {%- set versions = admissions_layout_versions(format_name) -%}
    {%- set branches = {} -%}
    {%- for version in versions -%}
    {%- set own = [] -%}
    {%- for col in admissions_layout(format_name, version) if col.type != 'text' or col.required -%}
    {%- set value = col.column ~ '__text' if col.type != 'text' else col.column -%}
    {%- set has_range = col.min is not none and col.max is not none -%}
    {%- set branch %}
    select
        {{ admissions_quote(format_name) }} as format_name,
        file_id,
        line_number,
        loaded_at,
        {{ admissions_quote(col.header) }} as field_name,
        {{ admissions_quote(col.type) }} as data_type,
        {{ value }} as field_value,
        case
            when {{ value }} is null then {{ "'required'" if col.required else 'null' }}
            {%- if col.type == 'integer' %}
            when {{ col.column }} is null then 'not_an_integer'
            {%- elif col.type == 'numeric' %}
            when {{ col.column }} is null then 'not_a_number'
            {%- elif col.type == 'date' %}
            when {{ col.column }} is null then 'not_a_date'
            when {{ col.column }} > current_date then 'future_date'
            {%- endif %}
            {%- if has_range %}
            when {{ col.column }} not between {{ col.min }} and {{ col.max }} then 'out_of_range'
            {%- endif %}
        end as rule,
        {%- if col.type == 'date' %}
        {{ admissions_quote('date ' ~ col.date_format ~ ', not after today') }} as rule_detail
        {%- elif has_range %}
        {{ admissions_quote(col.type ~ ' ' ~ col.min ~ ' to ' ~ col.max) }} as rule_detail
        {%- else %}
        {{ admissions_quote(col.type ~ (', required' if col.required else '')) }} as rule_detail
        {%- endif %}
    from {{ rel }}
    where parse_error is null
        and {{ admissions_landed_since() }}
        {%- if not col.required %}
        and {{ value }} is not null
        {%- endif %}
    {%- endset -%}
    {%- do own.append(branch) -%}
    {%- endfor -%}
    {%- do branches.update({version: own}) -%}
    {%- endfor %}
    select
        {{ admissions_quote(format_name) }} as format_name,
        file_id,
        line_number,
        loaded_at,
        '(record)' as field_name,
        'record' as data_type,
        left(raw_record, 200) as field_value,
        'unreadable_record' as rule,
        parse_error as rule_detail
    from {{ rel }}
    where parse_error is not null
        and {{ admissions_landed_since() }}
    {%- for branch, served in admissions_version_groups(versions, branches) %}
    union all
    {{- branch }}
        {{- admissions_version_filter(served, versions) }}
    {%- endfor %}
{% endmacro %}


{% macro admissions_xwalk_rows(xwalk) -%}
    {#- A crosswalk seed as the rows admissions_xwalk_joins reads: one per
        format and source value (a duplicate pair, which the seed's test
        reports, cannot multiply the rows joined to it). -#}
    select
        format_name,
        source_value,
        min(target_value) as target_value
    from {{ ref(xwalk) }}
    group by format_name, source_value
{%- endmacro %}


{% macro admissions_xwalk_joins(rows, alias, format_name, value) -%}
    {#- The crosswalk lookups of one value as equality joins to the
        crosswalk's rows (a CTE or a subquery of admissions_xwalk_rows), in
        the crosswalks' order of precedence: this format and this value (upper
        case), any format and this value, this format's default (`*`); then
        the default for any format (admissions_xwalk_value: a subquery that
        names no row, so the database reads it once). Null stays null
        (missing). Joins, not a subquery per value: the score table looks up
        four codes for each of millions of scores. -#}
    {%- for suffix, fmt, source in [('fv', format_name, 'upper(' ~ value ~ ')'),
                                    ('av', "'*'", 'upper(' ~ value ~ ')'),
                                    ('fd', format_name, "'*'")] %}
    left join {{ rows }} as {{ alias }}_{{ suffix }}
        on
            {{ alias }}_{{ suffix }}.format_name = {{ fmt }}
            and {{ alias }}_{{ suffix }}.source_value = {{ source }}
    {%- endfor %}
{%- endmacro %}


{% macro admissions_xwalk_value(rows, alias, value) -%}
    {#- The code admissions_xwalk_joins found for a value, else the default for
        any format. -#}
    case
        when {{ value }} is null then null
        when {{ alias }}_fv.source_value is not null then {{ alias }}_fv.target_value
        when {{ alias }}_av.source_value is not null then {{ alias }}_av.target_value
        when {{ alias }}_fd.source_value is not null then {{ alias }}_fd.target_value
        else (
            select any_format.target_value from {{ rows }} as any_format
            where any_format.format_name = '*' and any_format.source_value = '*'
        )
    end
{%- endmacro %}


{% macro admissions_xwalk_found(alias, value) -%}
    {#- False when a present value only reaches a wildcard default. -#}
    ({{ value }} is null or {{ alias }}_fv.source_value is not null or {{ alias }}_av.source_value is not null)
{%- endmacro %}


{% macro admissions_score_rows(format_name, model_name) %}
    {#- One row per score present in a record of one format (long form), with
        the person fields as the vendor gives them and the test date of the
        score's administration, all named by seeds/layouts/layout_fields.csv
        for the layout version each file was read with. -#}
    {%- set rel = ref(model_name) -%}
    {%- set versions = admissions_layout_versions(format_name) -%}
    {%- set fmt = admissions_quote(format_name) -%}
    {%- set roles = ['vendor_person_id', 'first_name', 'middle_name', 'last_name', 'gender',
                     'address_line1', 'city', 'state', 'zip', 'country', 'email', 'phone', 'ssn',
                     'grade_level', 'test_form', 'edition', 'is_expired'] -%}
    {%- set branches = {} -%}
    {%- for version in versions -%}
    {%- set columns = {} -%}
    {%- for col in admissions_layout(format_name, version) -%}
        {%- do columns.update({col.header: col.column}) -%}
    {%- endfor -%}
    {%- set fields = admissions_fields(format_name, version) -%}
    {%- set person = {} -%}
    {%- set dates = {} -%}
    {%- set date_fields = {} -%}
    {%- set ns = namespace(id_field=none) -%}
    {%- for f in fields -%}
        {%- if f['field_role'] == 'vendor_person_id' -%}
            {%- set ns.id_field = f['column_name'] -%}
        {%- endif -%}
        {%- if f['field_role'] == 'test_date' -%}
            {%- do dates.update({f['administration']: columns[f['column_name']]}) -%}
            {%- do date_fields.update({f['administration']: f['column_name']}) -%}
        {%- elif f['field_role'] != 'score' -%}
            {%- do person.update({f['field_role']: columns[f['column_name']]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set own = [] -%}
    {%- for f in fields if f['field_role'] == 'score' -%}
    {%- set score = columns[f['column_name']] -%}
    {%- set branch %}
    select
        {{ fmt }} as format_name,
        file_id,
        line_number,
        loaded_at,
        {{ f['administration'] }} as administration,
        {{ admissions_quote(f['column_name']) }} as field_name,
        {%- for role in roles %}
        {{ 'cast(' ~ person[role] ~ ' as text)' if role in person else 'cast(null as text)' }} as {{ role }},
        {%- endfor %}
        {{ person['birth_date'] if 'birth_date' in person else 'cast(null as date)' }} as birth_date,
        {{ dates[f['administration']] if f['administration'] in dates else dates[1] }} as test_date,
        {{ admissions_quote(date_fields[f['administration']] if f['administration'] in date_fields else date_fields[1]) }} as test_date_field_name,
        {{ admissions_quote(ns.id_field) }} as person_id_field_name,
        {%- if f['component_column'] %}
        {%- set code = columns[f['component_column']] %}
        {%- set xwalk_rows = '(' ~ admissions_xwalk_rows(f['component_xwalk']) ~ ')' %}
        {{ code }} as component_code,
        {{ admissions_xwalk_value(xwalk_rows, 'x_component', code) }} as component,
        {{ admissions_xwalk_found('x_component', code) }} as is_component_in_xwalk,
        {{ admissions_quote(f['component_column']) }} as component_field_name,
        {%- else %}
        {{ admissions_quote(f['component']) }} as component_code,
        {{ admissions_quote(f['component']) }} as component,
        true as is_component_in_xwalk,
        cast(null as text) as component_field_name,
        {%- endif %}
        cast({{ score }} as numeric) as written_score
    from {{ rel }}
    {%- if f['component_column'] %}
    {{- admissions_xwalk_joins(xwalk_rows, 'x_component', fmt, code) }}
    {%- endif %}
    where parse_error is null
        and {{ admissions_landed_since() }}
        and {{ score }} is not null
    {%- endset -%}
    {%- do own.append(branch) -%}
    {%- endfor -%}
    {%- do branches.update({version: own}) -%}
    {%- endfor -%}
    {%- set groups = admissions_version_groups(versions, branches) -%}
    {%- if groups | length == 0 %}
    {#- Before the seeds exist (parsing, linting) there is nothing to unpivot. #}
    select {{ fmt }} as format_name
    from {{ rel }}
    where false
    {%- endif %}
    {%- for branch, served in groups %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    {{- branch }}
        {{- admissions_version_filter(served, versions) }}
    {%- endfor %}
{% endmacro %}
