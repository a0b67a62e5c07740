{% macro parse_decimal(expr) -%}
    {#- A text value as a decimal number, or null when it is blank or not a
        plain decimal (at most nine digits, six after the point); never raises. -#}
    {{ return(adapter.dispatch('parse_decimal')(expr)) }}
{%- endmacro %}

{% macro default__parse_decimal(expr) -%}
    {{ dbt.safe_cast(expr, dbt.type_numeric()) }}
{%- endmacro %}

{% macro postgres__parse_decimal(expr) -%}
    {#- PostgreSQL has no safe cast: only a plain decimal number is cast. -#}
    case when {{ expr }} ~ '^[+-]?[0-9]{1,9}([.][0-9]{1,6})?$'
        then cast({{ expr }} as {{ dbt.type_numeric() }}) end
{%- endmacro %}
