-- The admissions scores received, counted per test and month of the test date
-- (the report's chart): the scores people could use, so errors are left out.

with

scores as (

    select * from {{ ref('int_admissions__scores') }}
    where not has_error and test_date is not null

),

final as (

    select
        test_code,
        cast({{ dbt.date_trunc('month', 'test_date') }} as date) as month_start,
        count(*) as scores,
        count(distinct vendor_person_id) as persons
    from scores
    group by test_code, cast({{ dbt.date_trunc('month', 'test_date') }} as date)

)

select * from final
