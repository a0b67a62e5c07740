{% macro earliest(a, b) %}
    {#- The earlier of two values, ignoring a null (least() ignores nulls on
        Postgres but returns null on Spark and Snowflake). -#}
    case when {{ b }} is null or {{ a }} <= {{ b }} then {{ a }} else {{ b }} end
{%- endmacro %}


{% macro latest(a, b) %}
    {#- The later of two values, ignoring a null (see earliest). -#}
    case when {{ b }} is null or {{ a }} >= {{ b }} then {{ a }} else {{ b }} end
{%- endmacro %}
