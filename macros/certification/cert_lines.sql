{% macro legacy_cert_lines(table, key_columns, columns) -%}
    {#- The current lines of one legacy_cert_* raw table, values trimmed (blanks
        are null): for each key, every line of the newest file holding that key
        (so a key twice in that file stays twice, for the duplicate check;
        lines_with_key counts the lines of its key in its file);
        lines without a full key or that did not parse, from the format's
        newest file only. -#}
    {%- set keys_present -%}
        {%- for key in key_columns %}{{ 'and ' if not loop.first }}{{ key }} is not null {% endfor -%}
    {%- endset %}
    select
        file_id,
        line_number,
        parse_error,
        raw_record,
        lines_with_key,
    {%- for column in columns %}
        {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from (
        select
            *,
            max(file_id) over (partition by {{ key_columns | join(', ') }}) as key_newest_file_id,
            count(*) over (partition by {{ key_columns | join(', ') }}, file_id) as lines_with_key,
            -- Not max() over (): that window would hold every line of the file at once.
            (select max(_file_id) from {{ source('raw', table) }}) as newest_file_id
        from (
            select
                _file_id as file_id,
                _line_number as line_number,
                _parse_error as parse_error,
                _raw_record as raw_record,
    {%- for column in columns %}
                {{ blank_to_null(column) }} as {{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
            from {{ source('raw', table) }}
        ) as trimmed
    ) as ranked
    where
        (parse_error is null and {{ keys_present }} and file_id = key_newest_file_id)
        or (not (parse_error is null and {{ keys_present }}) and file_id = newest_file_id)
{%- endmacro %}


{% macro cert_yes_no(expr) -%}
    {#- Y/N (also Yes/No, True/False, 1/0, any case) as a boolean; null otherwise. -#}
    case
        when upper({{ expr }}) in ('Y', 'YES', 'TRUE', 'T', '1') then true
        when upper({{ expr }}) in ('N', 'NO', 'FALSE', 'F', '0') then false
    end
{%- endmacro %}


{% macro cert_line_break() -%}
    {{ return(adapter.dispatch('cert_line_break')()) }}
{%- endmacro %}

{% macro default__cert_line_break() -%}
    chr(10)
{%- endmacro %}

{% macro bigquery__cert_line_break() -%}
    code_points_to_string([10])
{%- endmacro %}


{% macro cert_description_with_legacy(description, fields) -%}
    {#- The description followed by one line "Label: value" for each non-empty
        legacy field, in the order given; fields is a list of [label, column].
        Null when there is neither a description nor a legacy value. -#}
    {%- set parts = [] -%}
    {%- for label, column in fields -%}
        {%- do parts.append(
            "case when " ~ column ~ " is not null then "
            ~ dbt.concat([cert_line_break(), "'" ~ label ~ ": '", column])
            ~ " else '' end") -%}
    {%- endfor -%}
    {%- set extra = dbt.concat(parts) if parts | length > 1 else parts[0] -%}
    nullif(
        case
            when {{ description }} is null and {{ dbt.length(extra) }} > 0
                then {{ dbt.right(extra, dbt.length(extra) ~ ' - 1') }}
            when {{ description }} is null then ''
            else {{ dbt.concat([description, extra]) }}
        end,
        ''
    )
{%- endmacro %}


{% macro cert_problem(severity, kind, source_format, key, message_parts, from_cte, where) -%}
    {#- One select of problem rows: a problem of one kind for every row of
        from_cte matching where; message_parts are SQL pieces joined with
        dbt.concat (quote values with cert_quoted). -#}
    select
        '{{ severity }}' as severity,
        '{{ kind }}' as problem_kind,
        '{{ source_format }}' as source_format,
        file_id,
        line_number,
        {{ key }} as record_key,
        {{ dbt.concat(message_parts) }} as message
    from {{ from_cte }}
    where {{ where }}
{%- endmacro %}


{% macro cert_quoted(expr) -%}
    {{ dbt.concat(["'\"'", "coalesce(" ~ expr ~ ", '')", "'\"'"]) }}
{%- endmacro %}
