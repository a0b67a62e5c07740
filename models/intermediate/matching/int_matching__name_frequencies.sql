{{ config(materialized='table') }}

-- How common each first name and surname is among the organisation's
-- persons: agreeing on a common name ("smith") is weaker evidence than on a
-- rare one ("ostergaard"). frequency is the share of persons with the name.
with

persons as (

    select * from {{ ref('int_matching__persons') }}

),

totals as (

    select count(*) as persons from persons

),

first_names as (

    select
        'first_name' as comparison,
        first_key as name_key,
        count(*) as persons_with_name
    from persons
    where first_key is not null
    group by first_key

),

last_names as (

    select
        'last_name' as comparison,
        last_key as name_key,
        count(*) as persons_with_name
    from persons
    where last_key is not null
    group by last_key

),

unioned as (

    select * from first_names
    union all
    select * from last_names

),

final as (

    select
        u.comparison,
        u.name_key,
        u.persons_with_name,
        cast(u.persons_with_name as {{ dbt.type_float() }}) / t.persons as frequency
    from unioned as u
    cross join totals as t

)

select * from final
