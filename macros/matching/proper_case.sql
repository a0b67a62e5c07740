{% macro proper_case_rows(cte_name, key_column, columns, applies_to) %}
    {#- A select of `key_column` and `columns` of `cte_name`, the columns in
        proper case by the rules of seeds/matching/matching_proper_case_rules
        that apply to `applies_to` (given_name, surname or address); see
        docs/proper-case.md. A value is trimmed and split into words at
        spaces and into parts at hyphens; each part takes the first rule that
        matches it (word, exception, particle, ordinal, prefix), else a part
        with a digit is upper case and any other is capitalised; the parts and
        words are put back together in order. The key must be unique and not
        null; a null value stays null. -#}
    {%- if applies_to not in ('given_name', 'surname', 'address') -%}
        {{ exceptions.raise_compiler_error(
            "proper_case_rows: applies_to must be given_name, surname or address, not '"
            ~ applies_to ~ "'") }}
    {%- endif -%}
    {%- set rules = seed_relation('matching_proper_case_rules') -%}
    {%- set digits = "'0123456789'" -%}
    {%- set values, pivoted, selected = [], [], [] -%}
    {%- for column in columns -%}
        {%- do values.append(
            "select " ~ key_column ~ " as pc_key, '" ~ column ~ "' as pc_column, trim("
            ~ column ~ ") as pc_value from " ~ cte_name ~ " where " ~ column ~ " is not null") -%}
        {%- do pivoted.append(
            "max(case when pc_column = '" ~ column ~ "' then pc_value end) as " ~ column) -%}
        {%- do selected.append('p.' ~ column) -%}
    {%- endfor -%}
    with pc_values as (
        {{ values | join('\n        union all\n        ') }}
    ),

    pc_words as (
        {{ proper_case_split('pc_values', 'pc_value', ' ', 'pc_word', 'pc_word_position') }}
    ),

    pc_parts as (
        {{ proper_case_split('pc_words', 'pc_word', '-', 'pc_part', 'pc_part_position') }}
    ),

    pc_tokens as (
        select
            pc_key,
            pc_column,
            pc_word_position,
            pc_part_position,
            pc_part,
            lower(pc_part) as pc_lower,
            case
                when pc_word_position = max(pc_word_position) over (partition by pc_key, pc_column)
                    then 1
                else 0
            end as pc_is_last_word
        from pc_parts
    ),

    pc_rules as (
        select
            rule,
            token,
            replacement,
            {{ dbt.length('token') }} as token_length
        from {{ rules }}
        where {{ dbt.position("' " ~ applies_to ~ " '", dbt.concat(["' '", 'applies_to', "' '"])) }} > 0
    ),

    pc_matches as (
        -- Every rule that matches a part, the one it takes ranked first.
        select
            t.pc_key,
            t.pc_column,
            t.pc_word_position,
            t.pc_part_position,
            r.rule,
            r.replacement,
            r.token_length,
            row_number() over (
                partition by t.pc_key, t.pc_column, t.pc_word_position, t.pc_part_position
                order by
                    case r.rule
                        when 'word' then 1
                        when 'exception' then 2
                        when 'particle' then 3
                        when 'ordinal' then 4
                        else 5
                    end,
                    r.token_length desc
            ) as pc_rank
        from pc_tokens as t
        inner join pc_rules as r
            on
                (r.rule in ('word', 'exception') and t.pc_lower = r.token)
                or (r.rule = 'particle' and t.pc_lower = r.token and t.pc_is_last_word = 0)
                or (
                    r.rule = 'prefix'
                    and {{ dbt.length('t.pc_lower') }} > r.token_length
                    and substr(t.pc_lower, 1, r.token_length) = r.token
                )
                or (
                    r.rule = 'ordinal'
                    and {{ dbt.length('t.pc_lower') }} > r.token_length
                    and substr(t.pc_lower, {{ dbt.length('t.pc_lower') }} - r.token_length + 1) = r.token
                    and translate(
                        substr(t.pc_lower, 1, {{ dbt.length('t.pc_lower') }} - r.token_length),
                        {{ digits }}, ''
                    ) = ''
                )
    ),

    pc_cased as (
        select
            t.pc_key,
            t.pc_column,
            t.pc_word_position,
            t.pc_part_position,
            case
                when m.rule in ('word', 'exception', 'particle') then m.replacement
                when m.rule = 'prefix'
                    then {{ dbt.concat([
                        'm.replacement',
                        'upper(substr(t.pc_part, m.token_length + 1, 1))',
                        'lower(substr(t.pc_part, m.token_length + 2))',
                    ]) }}
                when m.rule = 'ordinal'
                    then {{ dbt.concat([
                        'substr(t.pc_part, 1, ' ~ dbt.length('t.pc_part') ~ ' - m.token_length)',
                        'm.replacement',
                    ]) }}
                when translate(t.pc_part, {{ digits }}, '') <> t.pc_part then upper(t.pc_part)
                else {{ dbt.concat(['upper(substr(t.pc_part, 1, 1))', 'lower(substr(t.pc_part, 2))']) }}
            end as pc_cased
        from pc_tokens as t
        left join pc_matches as m
            on
                t.pc_key = m.pc_key
                and t.pc_column = m.pc_column
                and t.pc_word_position = m.pc_word_position
                and t.pc_part_position = m.pc_part_position
                and m.pc_rank = 1
    ),

    pc_words_cased as (
        select
            pc_key,
            pc_column,
            pc_word_position,
            {{ dbt.listagg('pc_cased', "'-'", 'order by pc_part_position') }} as pc_word
        from pc_cased
        group by pc_key, pc_column, pc_word_position
    ),

    pc_values_cased as (
        select
            pc_key,
            pc_column,
            {{ dbt.listagg('pc_word', "' '", 'order by pc_word_position') }} as pc_value
        from pc_words_cased
        group by pc_key, pc_column
    ),

    pc_pivoted as (
        select
            pc_key,
            {{ pivoted | join(',\n            ') }}
        from pc_values_cased
        group by pc_key
    )

    select
        k.{{ key_column }},
        {{ selected | join(',\n        ') }}
    from {{ cte_name }} as k
    left join pc_pivoted as p on k.{{ key_column }} = p.pc_key
{% endmacro %}


{% macro proper_case_split(relation, column, delimiter, token_name, position_name) %}
    {#- Every row of `relation` once per piece of `column` split at `delimiter`
        (one character that stands for itself in a regular expression, as space
        and hyphen do): its columns plus the piece as
        `token_name` and its place as `position_name` (ascending). -#}
    {{ return(adapter.dispatch('proper_case_split')(relation, column, delimiter, token_name, position_name)) }}
{% endmacro %}


{% macro default__proper_case_split(relation, column, delimiter, token_name, position_name) %}
    {#- Spark and Databricks: posexplode of split (a regular expression; the
        delimiters used here are literal in one). -#}
    select
        s.*,
        t.{{ token_name }},
        t.{{ position_name }}
    from {{ relation }} as s
    lateral view posexplode(split(s.{{ column }}, '{{ delimiter }}')) t as {{ position_name }}, {{ token_name }}
{% endmacro %}


{% macro postgres__proper_case_split(relation, column, delimiter, token_name, position_name) %}
    {#- regexp_split_to_table keeps empty pieces, as Spark's split does
        (string_to_array would drop the only piece of an empty string). -#}
    select
        s.*,
        t.{{ token_name }},
        t.{{ position_name }}
    from {{ relation }} as s
    cross join lateral regexp_split_to_table(
        s.{{ column }}, '{{ delimiter }}'
    ) with ordinality as t ({{ token_name }}, {{ position_name }})
{% endmacro %}
