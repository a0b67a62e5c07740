{% test unique_combination_of_columns(model, combination_of_columns) %}
    {#- Each combination of the columns appears once. -#}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
