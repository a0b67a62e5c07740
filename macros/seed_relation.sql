{% macro seed_relation(name) %}
    {#- A seed a model reads as rules (joined, not mocked). Models depend on it
        through ref(); a unit test mocks only the model's data inputs, so there
        the seed's own table is addressed directly (it must have been seeded),
        and the unit test checks the rules as they are in the seed. -#}
    {%- if model is mapping and model.get('resource_type') == 'unit_test' -%}
        {{ return(api.Relation.create(database=target.database, schema='seeds', identifier=name)) }}
    {%- endif -%}
    {{ return(ref(name)) }}
{% endmacro %}
