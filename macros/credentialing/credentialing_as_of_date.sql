{#- The day a build takes as today (eligibility windows end relative to it):
    var('as_of_date') as YYYY-MM-DD when given (tests, or rebuilding a past
    day's eligibility), else the database's current_date. -#}
{% macro credentialing_as_of_date() %}
    {%- set day = var('as_of_date', none) -%}
    {%- if day is none or (day | string) == '' -%}
        current_date
    {%- else -%}
        {%- set text = day | string -%}
        {%- set parts = text.split('-') -%}
        {%- if text | length != 10 or parts | length != 3
            or not (parts | join('')).isdigit() -%}
            {{ exceptions.raise_compiler_error(
                "var as_of_date: '" ~ day ~ "' is not a day (YYYY-MM-DD)") }}
        {%- endif -%}
        cast('{{ day }}' as date)
    {%- endif -%}
{% endmacro %}
