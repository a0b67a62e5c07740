-- Applications the organisation records as Pending, with the person's
-- details as the eligibility file needs them. outbound_eligibility is the
-- file's rows; the export picks the range.

with applications as (

    select * from {{ ref('int_credentialing__applications') }}
    where status = 'Pending'

),

persons as (

    select * from {{ ref('stg_credentialing__persons') }}

),

sent as (

    select distinct application_id
    from {{ ref('stg_ops__eligibility_transmission_items') }}

)

select
    applications.application_id,
    applications.person_id,
    persons.last_name,
    persons.first_name,
    persons.middle_name,
    persons.email,
    applications.exam_code,
    applications.submitted_at,
    applications.eligibility_start,
    applications.eligibility_end,
    applications.accommodations,
    sent.application_id is not null as was_sent_before
from applications
left join persons
    on applications.person_id = persons.person_id
left join sent
    on applications.application_id = sent.application_id
