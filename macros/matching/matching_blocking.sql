{% macro matching_key_columns() %}
    {#- The columns a blocking rule may join on (macros/matching/matching_normalise.sql). -#}
    {{ return(['first_key', 'last_key', 'middle_key', 'first_initial', 'last_initial',
               'last_part_first', 'last_part_last', 'birth_text', 'birth_year', 'birth_swapped', 'ssn_key',
               'email_key', 'phone_key', 'street_key', 'zip5', 'gender_key']) }}
{% endmacro %}


{% macro matching_blocking_rules() %}
    {#- The blocking rules of seeds/matching/matching_blocking_rules.csv, read at
        compile time: one dict per rule with its name and the record's and the
        person's key columns, which must pair up one to one. Empty while
        parsing, before the seed exists. -#}
    {%- set seed = admissions_seed('matching_blocking_rules') -%}
    {%- if not execute or load_relation(seed) is none -%}{{ return([]) }}{%- endif -%}
    {%- set rows = run_query(
        'select rule_name, record_key, person_key from ' ~ seed ~ ' order by rule_name') -%}
    {%- set allowed = matching_key_columns() -%}
    {%- set rules = [] -%}
    {%- for row in rows -%}
        {%- set record_key = (row[1] or '').split('+') | map('trim') | list -%}
        {%- set person_key = (row[2] or '').split('+') | map('trim') | list -%}
        {%- if record_key | length != person_key | length -%}
            {{ exceptions.raise_compiler_error(
                'matching_blocking_rules: rule ' ~ row[0] ~ ' has ' ~ record_key | length
                ~ ' record key column(s) and ' ~ person_key | length ~ ' person key column(s)') }}
        {%- endif -%}
        {%- for col in record_key + person_key if col not in allowed -%}
            {{ exceptions.raise_compiler_error(
                'matching_blocking_rules: rule ' ~ row[0] ~ ' names column "' ~ col
                ~ '"; a key column is one of ' ~ allowed | join(', ')) }}
        {%- endfor -%}
        {%- if not modules.re.match('^[a-z][a-z0-9_]*$', row[0] or '') -%}
            {{ exceptions.raise_compiler_error(
                'matching_blocking_rules: rule name "' ~ row[0]
                ~ '" must be lower case letters, digits and underscores') }}
        {%- endif -%}
        {%- do rules.append({'name': row[0], 'record_key': record_key, 'person_key': person_key}) -%}
    {%- endfor -%}
    {{ return(rules) }}
{% endmacro %}


{% macro matching_rules_known_id() -%}
    {#- The rules that match a record by its vendor id, as an SQL list. -#}
    ('known vendor id', 'vendor id matched before', 'vendor id decided before')
{%- endmacro %}


{% macro matching_rules_matched() -%}
    {#- The automatic rules whose outcome is matched, as an SQL list. -#}
    ('known vendor id', 'vendor id matched before', 'vendor id decided before', 'score')
{%- endmacro %}


{% macro matching_rules_new() -%}
    {#- The automatic rules whose outcome is new, as an SQL list. -#}
    ('no candidate', 'best score below the review threshold', 'vendor id decided new before')
{%- endmacro %}


{% macro matching_working_memory() -%}
    {#- Pre-hook of the matching models that join millions of pairs: on
        PostgreSQL, more memory for each hash join and sort of this model's
        statement (the server's default, 4 MB, sends them to disk), for this
        session only. Nothing elsewhere. -#}
    {{ return(adapter.dispatch('matching_working_memory', 'scorebridge')()) }}
{%- endmacro %}

{% macro default__matching_working_memory() -%}
{%- endmacro %}

{% macro postgres__matching_working_memory() -%}
    set work_mem = '256MB'
{%- endmacro %}
