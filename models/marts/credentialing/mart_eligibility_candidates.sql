-- Applications an eligibility file may hold: Pending now (the current status
-- of mart_application_status, so a result's decision counts even when a
-- later extract from the organisation still says Pending), with everything
-- the vendor needs. The Pending applications left out for a data reason are
-- in mart_eligibility_left_out, which holds that rule. outbound_eligibility
-- is the file's rows; the export picks the range.

with pending as (

    select application_id
    from {{ ref('mart_application_status') }}
    where current_status = 'Pending'

),

left_out as (

    select application_id from {{ ref('mart_eligibility_left_out') }}

),

applications as (

    select * from {{ ref('int_credentialing__applications') }}

),

persons as (

    select * from {{ ref('stg_credentialing__persons') }}

),

sent as (

    select distinct application_id
    from {{ ref('stg_ops__eligibility_transmission_items') }}

),

final as (

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
    from pending
    inner join applications
        on pending.application_id = applications.application_id
    inner join persons
        on applications.person_id = persons.person_id
    left join sent
        on applications.application_id = sent.application_id
    where not exists (
        select 1 from left_out
        where left_out.application_id = applications.application_id
    )

)

select * from final
