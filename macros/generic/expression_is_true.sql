{% test expression_is_true(model, expression, column_name=None) %}
    {#- Rows where the expression is not true fail the test. -#}
    select *
    from {{ model }}
    where not ({{ column_name ~ ' ' if column_name else '' }}{{ expression }})
{% endtest %}
