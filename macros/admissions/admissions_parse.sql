{% macro admissions_missing(expr) -%}
    {#- Vendors write "no value" as blank, -, -- or ---: all missing, never zero. -#}
    case when trim({{ expr }}) in ('', '-', '--', '---') then null else trim({{ expr }}) end
{%- endmacro %}


{% macro admissions_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('admissions_matches')(expr, pattern)) }}
{%- endmacro %}

{% macro default__admissions_matches(expr, pattern) -%}
    {#- Postgres regular-expression match; other warehouses override this. -#}
    {{ expr }} ~ '{{ pattern }}'
{%- endmacro %}


{% macro admissions_make_date(y, m, d) -%}
    {{ return(adapter.dispatch('admissions_make_date')(y, m, d)) }}
{%- endmacro %}

{% macro default__admissions_make_date(y, m, d) -%}
    make_date({{ y }}, {{ m }}, {{ d }})
{%- endmacro %}


{% macro admissions_days_in_month(y, m) -%}
    {{ return(adapter.dispatch('admissions_days_in_month')(y, m)) }}
{%- endmacro %}

{% macro default__admissions_days_in_month(y, m) -%}
    extract(day from {{ admissions_make_date(y, m, 1) }} + interval '1 month' - interval '1 day')
{%- endmacro %}


{% macro admissions_parse_integer(expr) -%}
    {#- At most 9 digits, so the cast cannot overflow. -#}
    case
        when {{ admissions_matches(expr, '^[+-]?[0-9]{1,9}$') }}
            then cast({{ expr }} as integer)
    end
{%- endmacro %}


{% macro admissions_parse_numeric(expr) -%}
    case
        when {{ admissions_matches(expr, '^[+-]?[0-9]{1,12}([.][0-9]{1,6})?$') }}
            then cast({{ expr }} as numeric)
    end
{%- endmacro %}


{% macro admissions_two_digit_year(yy) -%}
    {#- A two-digit year is this century unless that is after this year. -#}
    case
        when 2000 + {{ yy }} <= extract(year from current_date)
            then 2000 + {{ yy }}
        else 1900 + {{ yy }}
    end
{%- endmacro %}


{% macro admissions_safe_date(y, m, d) -%}
    {#- A real calendar date or null: nested cases keep make_date from ever
        seeing a month or day that does not exist. -#}
    case
        when {{ m }} between 1 and 12 and {{ y }} between 1 and 9999 then
            case
                when {{ d }} between 1 and {{ admissions_days_in_month(y, m) }}
                    then {{ admissions_make_date(y, m, d) }}
            end
    end
{%- endmacro %}


{% macro admissions_date_form(expr, form) -%}
    {#- One date form of the layout seed to a date; null when it does not fit. -#}
    {%- set part = 'cast(substr(' ~ expr ~ ', {}, {}) as integer)' -%}
    {%- set slash = [] -%}
    {%- for n in [1, 2, 3] -%}
        {%- do slash.append('cast(' ~ dbt.split_part(expr, "'/'", n) ~ ' as integer)') -%}
    {%- endfor -%}
    {%- if form == 'MMDDYYYY' -%}
        case when {{ admissions_matches(expr, '^[0-9]{8}$') }} then {{ admissions_safe_date(
            part.format(5, 4), part.format(1, 2), part.format(3, 2)) }} end
    {%- elif form == 'YYYYMMDD' -%}
        case when {{ admissions_matches(expr, '^[0-9]{8}$') }} then {{ admissions_safe_date(
            part.format(1, 4), part.format(5, 2), part.format(7, 2)) }} end
    {%- elif form == 'MMDDYY' -%}
        {#- AP drops the leading zero of January to September: 70124 is 07/01/24. -#}
        {%- set padded = "lpad(" ~ expr ~ ", 6, '0')" -%}
        {%- set ppart = 'cast(substr(' ~ padded ~ ', {}, {}) as integer)' -%}
        case when {{ admissions_matches(expr, '^[0-9]{5,6}$') }} then {{ admissions_safe_date(
            admissions_two_digit_year(ppart.format(5, 2)), ppart.format(1, 2),
            ppart.format(3, 2)) }} end
    {%- elif form == 'MMYYYY' -%}
        case when {{ admissions_matches(expr, '^[0-9]{6}$') }} then {{ admissions_safe_date(
            part.format(3, 4), part.format(1, 2), '1') }} end
    {%- elif form in ('M/D/YYYY', 'MM/DD/YYYY') -%}
        case when {{ admissions_matches(expr, '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$') }} then {{
            admissions_safe_date(slash[2], slash[0], slash[1]) }} end
    {%- elif form == 'YYYY-MM-DD' -%}
        case when {{ admissions_matches(expr, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') }} then {{
            admissions_safe_date(part.format(1, 4), part.format(6, 2), part.format(9, 2)) }} end
    {%- elif form == 'YY' -%}
        {#- A year only (AP administration year): AP exams are given in May. -#}
        case when {{ admissions_matches(expr, '^[0-9]{2}$') }} then {{ admissions_safe_date(
            admissions_two_digit_year('cast(' ~ expr ~ ' as integer)'), '5', '1') }} end
    {%- else -%}
        {{ exceptions.raise_compiler_error('unknown date form ' ~ form ~ ' in the layout seed') }}
    {%- endif -%}
{%- endmacro %}


{% macro admissions_parse_date(expr, date_format) -%}
    {#- Tries each form of `A|B` in order; the first that gives a real date wins. -#}
    {%- set forms = (date_format or 'YYYY-MM-DD').split('|') -%}
    {%- if forms | length == 1 -%}
        {{ admissions_date_form(expr, forms[0]) }}
    {%- else -%}
        coalesce(
        {%- for form in forms %}
            {{ admissions_date_form(expr, form) }}{{ ',' if not loop.last }}
        {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}


{% macro admissions_listagg(expr, delimiter, order_by) -%}
    {#- Ordered string aggregation (Postgres string_agg): the one spot to change
        on another warehouse. Plain, not dispatched, so sqlfluff can render it. -#}
    string_agg({{ expr }}, {{ delimiter }} {{ order_by }})
{%- endmacro %}
