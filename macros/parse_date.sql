{% macro parse_date(expr, forms=['YYYY-MM-DD', 'MM/DD/YYYY']) -%}
    {#- A text value as a date, or null when it is blank, in no listed form, or
        not a real day (2026-13-45, 02/30/2026). Never raises, so one bad value
        cannot fail a model. Forms: YYYY-MM-DD, MM/DD/YYYY. -#}
    {%- set parts = {
        'YYYY-MM-DD': ['^[0-9]{4}-[0-9]{2}-[0-9]{2}$', 1, 6, 9],
        'MM/DD/YYYY': ['^[0-9]{2}/[0-9]{2}/[0-9]{4}$', 7, 1, 4],
    } -%}
    case
    {%- for form in forms %}
        {%- set p = parts[form] %}
            when {{ expr }} ~ '{{ p[0] }}'
                then {{ make_valid_date(
                    'substr(' ~ expr ~ ', ' ~ p[1] ~ ', 4)::integer',
                    'substr(' ~ expr ~ ', ' ~ p[2] ~ ', 2)::integer',
                    'substr(' ~ expr ~ ', ' ~ p[3] ~ ', 2)::integer') }}
    {%- endfor %}
    end
{%- endmacro %}


{% macro make_valid_date(year, month, day) -%}
    {#- Nested cases: PostgreSQL evaluates them in order, so make_date never
        sees month 13 or day 45. -#}
    case when {{ year }} >= 1 and {{ month }} between 1 and 12 then
        case when {{ day }} between 1 and extract(
            day from make_date({{ year }}, {{ month }}, 1) + interval '1 month - 1 day'
        ) then make_date({{ year }}, {{ month }}, {{ day }}) end
    end
{%- endmacro %}


{% macro parse_integer(expr) -%}
    {#- A text value as an integer, or null when it is blank or not a whole
        number of at most nine digits (never raises). -#}
    case when {{ expr }} ~ '^[+-]?[0-9]{1,9}$' then ({{ expr }})::integer end
{%- endmacro %}


{% macro blank_to_null(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}
