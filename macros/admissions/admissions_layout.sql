{% macro admissions_formats() %}
    {#- The admissions formats and the entity their models are named after:
        stg_admissions__<entity> (the raw table, renamed) and
        int_admissions__<entity>_parsed (every line read with its file's
        layout version). A new format is one line here, a model of one macro
        call in each of those two folders, and its layout rows. -#}
    {{ return({
        'act_csv': 'act',
        'sat_csv': 'sat',
        'ap_csv': 'ap',
        'preact_fixed': 'preact',
        'gre_fixed': 'gre',
        'gmat_csv': 'gmat',
        'accuplacer_csv': 'accuplacer',
    }) }}
{% endmacro %}


{% macro admissions_staging_model(format_name) %}
    {#- The staging model of a format's raw table: stg_admissions__act. -#}
    {{ return('stg_admissions__' ~ admissions_formats()[format_name]) }}
{% endmacro %}


{% macro admissions_parsed_model(format_name) %}
    {#- The model that parses a format with each file's layout version: int_admissions__act_parsed. -#}
    {{ return('int_admissions__' ~ admissions_formats()[format_name] ~ '_parsed') }}
{% endmacro %}


{% macro admissions_format_list() %}
    {#- The admissions format names as a SQL list, for `format_name in (...)`. -#}
    {{ return("'" ~ (admissions_formats().keys() | join("', '")) ~ "'") }}
{% endmacro %}


{% macro admissions_seed(name) %}
    {#- A layout seed read at compile time. Models depend on it through ref();
        a unit test mocks only the model's data inputs, so there the seed's
        table is addressed directly (it must have been seeded). -#}
    {%- if model is mapping and model.get('resource_type') == 'unit_test' -%}
        {{ return(api.Relation.create(database=target.database, schema='seeds', identifier=name)) }}
    {%- endif -%}
    {{ return(ref(name)) }}
{% endmacro %}


{% macro admissions_column_base(header_name) %}
    {#- The raw column name landing.column_names gives a header (before dedupe). -#}
    {%- set base = modules.re.sub('[^a-z0-9]+', '_', header_name | trim | lower).strip('_') -%}
    {%- if base == '' -%}{%- set base = 'column' -%}{%- endif -%}
    {%- if base[0] in '0123456789' -%}{%- set base = 'c_' ~ base -%}{%- endif -%}
    {{ return(base) }}
{% endmacro %}


{% macro admissions_layout_versions(format_name) %}
    {#- The layout versions of a format in layout_columns, newest first (as
        text: years or zero-padded numbers). Empty while parsing, before the
        seed exists. Which version a file is read with is decided per file in
        int_admissions__file_layouts_chosen. -#}
    {%- set seed = admissions_seed('layout_columns') -%}
    {#- Referenced while parsing too, so callers depend on both layout seeds. -#}
    {%- set fields = admissions_seed('layout_fields') -%}
    {%- if not execute or load_relation(seed) is none -%}{{ return([]) }}{%- endif -%}
    {%- set sql -%}
        select distinct layout_version from {{ seed }}
        where format_name = '{{ format_name }}'
        order by layout_version desc
    {%- endset -%}
    {{ return(run_query(sql).columns[0].values() | list) }}
{% endmacro %}


{% macro admissions_version_name(layout_version) %}
    {#- A layout version as part of a CTE name: cleaned_v2024. -#}
    {{ return('v' ~ modules.re.sub('[^a-z0-9]+', '_', layout_version | string | lower)) }}
{% endmacro %}


{% macro admissions_layout(format_name, layout_version=none) %}
    {#- One layout version of a format (the newest when none is named), read
        from the layout seed at compile time: one dict per column, in order,
        with the parsed column name and (for CSV) the raw column the loader
        wrote it to. Empty while parsing, before the seed exists. -#}
    {%- set seed = admissions_seed('layout_columns') -%}
    {%- set fields = admissions_seed('layout_fields') -%}
    {#- Not while parsing, nor before the seeds exist (docs generate on a new database). -#}
    {%- if not execute or load_relation(seed) is none or load_relation(fields) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set sql -%}
        select
            c.ordinal,
            c.column_name,
            c.start_position,
            c.end_position,
            c.data_type,
            c.is_required,
            c.min_value,
            c.max_value,
            c.date_format,
            f.field_role
        from {{ seed }} as c
        left join {{ fields }} as f
            on c.format_name = f.format_name
            and c.layout_version = f.layout_version
            and c.column_name = f.column_name
        where c.format_name = '{{ format_name }}'
            and c.layout_version = {{ admissions_version_sql(seed, format_name, layout_version) }}
        order by c.ordinal
    {%- endset -%}
    {%- set rows = run_query(sql) -%}
    {%- set raw_columns = [] -%}
    {%- if format_name.endswith('_csv') -%}
        {#- Addressed directly, not through source(): this only looks names up. -#}
        {%- set raw_table = api.Relation.create(
            database=target.database, schema='raw', identifier=format_name) -%}
        {%- for col in adapter.get_columns_in_relation(raw_table) -%}
            {%- do raw_columns.append(col.name) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set taken = [] -%}
    {%- set out = [] -%}
    {%- for row in rows -%}
        {%- set base = admissions_column_base(row['column_name']) -%}
        {%- set ns = namespace(name=base, n=1) -%}
        {%- if base | length > 59 and raw_columns -%}
            {#- The loader cuts long names and adds a hash; find the column it made. -#}
            {%- for c in raw_columns if c.startswith(base[:52] ~ '_') -%}
                {%- set ns.name = c -%}
            {%- endfor -%}
        {%- endif -%}
        {%- set first = ns.name -%}
        {%- for i in range(2, 100) if ns.name in taken -%}
            {%- set ns.name = first ~ '_' ~ i -%}
        {%- endfor -%}
        {%- do taken.append(ns.name) -%}
        {%- do out.append({
            'ordinal': row['ordinal'],
            'header': row['column_name'],
            'column': ns.name,
            'start': row['start_position'],
            'end': row['end_position'],
            'type': row['data_type'],
            'required': row['is_required'],
            'min': row['min_value'],
            'max': row['max_value'],
            'date_format': row['date_format'],
            'role': row['field_role'],
        }) -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}


{% macro admissions_version_sql(seed, format_name, layout_version) %}
    {#- A named layout version as a literal, or the newest version of the seed. -#}
    {%- if layout_version is not none -%}
        {{ return("'" ~ layout_version ~ "'") }}
    {%- endif -%}
    {{ return("(select max(v.layout_version) from " ~ seed ~ " as v where v.format_name = '"
              ~ format_name ~ "')") }}
{% endmacro %}


{% macro admissions_fields(format_name, layout_version=none) %}
    {#- The admissions roles of the columns of one layout version (the newest
        when none is named), from seeds/layouts/layout_fields.csv. -#}
    {%- set fields = admissions_seed('layout_fields') -%}
    {%- if not execute or load_relation(fields) is none -%}{{ return([]) }}{%- endif -%}
    {%- set sql -%}
        select f.column_name, f.field_role, f.administration, f.component,
            f.component_column, f.component_xwalk
        from {{ fields }} as f
        where f.format_name = '{{ format_name }}'
            and f.layout_version = {{ admissions_version_sql(fields, format_name, layout_version) }}
        order by f.administration, f.field_role, f.column_name
    {%- endset -%}
    {{ return(run_query(sql).rows) }}
{% endmacro %}
