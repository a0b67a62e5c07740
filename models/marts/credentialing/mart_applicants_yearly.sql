-- An application is a retake when its person had an earlier application for
-- the same exam (submitted earlier, or the same day with a smaller id) or an
-- earlier result for it (tested before the application was submitted).

with applications as (

    select * from {{ ref('int_credentialing__applications') }}
    where submitted_at is not null and exam_code is not null

),

results as (

    select * from {{ ref('int_credentialing__results') }}

),

flagged as (

    select
        applications.exam_code,
        extract(year from applications.submitted_at)::integer as submitted_year,
        exists (
            select 1 from applications as earlier
            where
                earlier.person_id = applications.person_id
                and earlier.exam_code = applications.exam_code
                and (earlier.submitted_at, earlier.application_id)
                < (applications.submitted_at, applications.application_id)
        )
        or exists (
            select 1 from results
            where
                results.candidate_id = applications.person_id
                and results.exam_code = applications.exam_code
                and results.test_date < applications.submitted_at
        ) as is_retake
    from applications

)

select
    exam_code,
    submitted_year as year,  -- noqa: RF04
    count(*) filter (where not is_retake)::integer as new_applicants,
    count(*) filter (where is_retake)::integer as retakes,
    count(*)::integer as applications
from flagged
group by 1, 2
