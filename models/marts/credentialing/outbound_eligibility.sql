{{ config(materialized='view') }}

-- The rows an eligibility file may hold: every application of
-- mart_eligibility_candidates, with was_sent_before and the newest
-- transmission that held it read from the transmission record as it is now
-- (the mart's flag is as fresh as the last build). A view, so an application
-- sent a second ago counts as sent.
-- export eligibility keeps the rows whose submitted_at is in --from/--to, of
-- --exam when given, and with --only-new those not sent before.

with candidates as (

    select * from {{ ref('mart_eligibility_candidates') }}

),

sent as (

    select
        application_id,
        max(transmission_id) as last_sent_in_transmission
    from {{ ref('stg_ops__eligibility_transmission_items') }}
    group by application_id

),

final as (

    select
        candidates.application_id,
        candidates.person_id,
        candidates.last_name,
        candidates.first_name,
        candidates.middle_name,
        candidates.email,
        candidates.exam_code,
        candidates.eligibility_start,
        candidates.eligibility_end,
        candidates.accommodations,
        candidates.submitted_at,
        coalesce(candidates.was_sent_before, false)
        or sent.application_id is not null as was_sent_before,
        sent.last_sent_in_transmission
    from candidates
    left join sent
        on candidates.application_id = sent.application_id

)

select * from final
