-- noqa: disable=LT02
-- Indentation is set for the SQL these macros generate (see target/compiled), not for
-- the Jinja around it, so the indent rule is off in this file only.

{% macro admissions_parsed_columns(format_name, versions) %}
    {#- Every column of every layout version of a format, by parsed column
        name: the newest version's columns in order, then columns only older
        versions have. Returns the union (the newest definition of each
        column) and, per version, its own columns. A column keeps one data
        type across versions, or the versions could not be stacked. -#}
    {%- set union = [] -%}
    {%- set seen = {} -%}
    {%- set per_version = {} -%}
    {%- for version in versions -%}
        {%- set own = {} -%}
        {%- for col in admissions_layout(format_name, version) -%}
            {%- do own.update({col.column: col}) -%}
            {%- if col.column not in seen -%}
                {%- do seen.update({col.column: col}) -%}
                {%- do union.append(col) -%}
            {%- elif seen[col.column].type != col.type -%}
                {{ exceptions.raise_compiler_error(
                    'layout_columns: ' ~ format_name ~ ' column ' ~ col.header ~ ' is '
                    ~ seen[col.column].type ~ ' in one layout version and ' ~ col.type
                    ~ ' in version ' ~ version ~ '; give it one type or a new name') }}
            {%- endif -%}
        {%- endfor -%}
        {%- do per_version.update({version: own}) -%}
    {%- endfor -%}
    {{ return({'union': union, 'per_version': per_version}) }}
{% endmacro %}


{% macro admissions_parsed(format_name) %}
    {#- Generates a format's parsed model from the layout seeds, over its
        staging model. Each file is read with the layout version
        int_admissions__file_layouts_chosen chose for it: one pair
        of CTEs per version (cleaned_v<version>: pick and trim every column,
        blanks and dashes made null; parsed_v<version>: integers, numbers and
        dates parsed), stacked in `final`. A column a version lacks is null
        in that version's rows. Each typed column keeps its cleaned text
        beside it (`<column>__text`), so the errors model can show the value
        that failed. -#}
    {%- set versions = admissions_layout_versions(format_name) -%}
    {%- set layouts = admissions_parsed_columns(format_name, versions) -%}
    {%- set is_fixed = not format_name.endswith('_csv') -%}
    {%- set newest = versions[0] if versions else '' -%}
    {#- While parsing there are no versions yet: one unfiltered pass, no columns. -#}
    {%- set passes = versions if versions else [none] %}
with

staged as (

    select * from {{ ref(admissions_staging_model(format_name)) }}
    where {{ admissions_landed_since() }}

),

file_layouts as (

    select
        file_id,
        layout_version
    from {{ ref('int_admissions__file_layouts_chosen') }}
    where format_name = {{ admissions_quote(format_name) }}

),

-- Every line with its file's layout version; the newest for a line whose
-- file has no manifest row (no line is dropped).
versioned as (

    select
        s.*,
        coalesce(l.layout_version, {{ admissions_quote(newest) }}) as _layout_version
    from staged as s
    left join file_layouts as l
        on s.file_id = l.file_id

),
{%- for version in passes %}
{%- set own = layouts.per_version[version] if version is not none else {} %}
{%- set suffix = '_' ~ admissions_version_name(version) if version is not none else '' %}

{{ '-- Layout version ' ~ version ~ ' of ' ~ format_name ~ '.' if version is not none }}
cleaned{{ suffix }} as (

    select
        file_id,
        line_number,
        load_id,
        loaded_at,
        parse_error,
        raw_record,
        {%- if is_fixed %}
        record,
        record_length,
        {%- endif %}
        _layout_version as layout_version
        {%- for union_col in layouts.union %},
        {%- if union_col.column not in own %}
        cast(null as text) as {{ union_col.column }}
        {%- elif is_fixed %}
        {%- set col = own[union_col.column] %}
        {{ admissions_missing('substr(record, ' ~ col.start ~ ', ' ~ (col.end - col.start + 1) ~ ')') }} as {{ col.column }}
        {%- else %}
        {{ admissions_missing(union_col.column) }} as {{ union_col.column }}
        {%- endif %}
        {%- endfor %}
    from versioned
    {%- if version is not none %}
    where _layout_version = {{ admissions_quote(version) }}
    {%- endif %}

),

parsed{{ suffix }} as (

    select
        file_id,
        line_number,
        load_id,
        loaded_at,
        parse_error,
        {%- if is_fixed %}
        coalesce(raw_record, record) as raw_record,
        record_length,
        {%- else %}
        raw_record,
        {%- endif %}
        layout_version
        {%- for union_col in layouts.union %},
        {%- set col = own.get(union_col.column) %}
        {%- if col is none and union_col.type != 'text' %}
        cast(null as {{ union_col.type }}) as {{ union_col.column }},
        cast(null as text) as {{ union_col.column }}__text
        {%- elif col is none or col.type == 'text' %}
        {{ union_col.column }}
        {%- elif col.type == 'integer' %}
        {{ admissions_parse_integer(col.column) }} as {{ col.column }},
        {{ col.column }} as {{ col.column }}__text
        {%- elif col.type == 'numeric' %}
        {{ admissions_parse_numeric(col.column) }} as {{ col.column }},
        {{ col.column }} as {{ col.column }}__text
        {%- elif col.type == 'date' %}
        {{ admissions_parse_date(col.column, col.date_format) }} as {{ col.column }},
        {{ col.column }} as {{ col.column }}__text
        {%- endif %}
        {%- endfor %}
    from cleaned{{ suffix }}

),
{%- endfor %}

final as (
    {%- for version in passes %}
    {%- if not loop.first %}

    union all
    {%- endif %}

    select * from parsed{{ '_' ~ admissions_version_name(version) if version is not none }}
    {%- endfor %}

)

select * from final
{% endmacro %}
