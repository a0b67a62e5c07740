with results as (

    select * from {{ ref('int_credentialing__results') }}

)

select
    exam_code,
    date_trunc('quarter', test_date)::date as quarter_start,
    count(*) filter (where outcome = 'Passed')::integer as passed,
    count(*) filter (where outcome = 'Failed')::integer as failed,
    count(*) filter (where outcome = 'No-show')::integer as no_show,
    count(*)::integer as total,
    round(
        count(*) filter (where outcome = 'Passed')::numeric
        / nullif(count(*) filter (where outcome in ('Passed', 'Failed')), 0),
        4
    ) as pass_rate
from results
group by 1, 2
