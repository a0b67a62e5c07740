-- The newest version of every application (the latest file, then the latest
-- line): the organisation's current record of it.

with versions as (

    select
        *,
        row_number() over (
            partition by application_id order by file_id desc, line_number desc
        ) as version_rank
    from {{ ref('stg_credentialing__applications') }}

)

select
    application_id,
    person_id,
    exam_code,
    submitted_at,
    status,
    eligibility_start,
    eligibility_end,
    accommodations,
    file_id,
    line_number
from versions
where version_rank = 1
