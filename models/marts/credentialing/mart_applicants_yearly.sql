-- An application is a retake when its person had an earlier application for
-- the same exam (submitted earlier, or the same day with a smaller id) or an
-- earlier result for it (tested before the application was submitted).

with applications as (

    select * from {{ ref('int_credentialing__applications') }}
    where submitted_at is not null and exam_code is not null

),

first_results as (

    select
        candidate_id,
        exam_code,
        min(test_date) as first_test_date
    from {{ ref('int_credentialing__results') }}
    group by 1, 2

),

ordered as (

    select
        applications.person_id,
        applications.exam_code,
        applications.submitted_at,
        row_number() over (
            partition by applications.person_id, applications.exam_code
            order by applications.submitted_at, applications.application_id
        ) as attempt_number
    from applications

),

flagged as (

    select
        ordered.exam_code,
        extract(year from ordered.submitted_at)::integer as submitted_year,
        ordered.attempt_number > 1
        or coalesce(first_results.first_test_date < ordered.submitted_at, false) as is_retake
    from ordered
    left join first_results
        on
            ordered.person_id = first_results.candidate_id
            and ordered.exam_code = first_results.exam_code

)

select
    exam_code,
    submitted_year as year,  -- noqa: RF04
    count(*) filter (where not is_retake)::integer as new_applicants,
    count(*) filter (where is_retake)::integer as retakes,
    count(*)::integer as applications
from flagged
group by 1, 2
