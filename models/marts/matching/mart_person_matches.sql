-- One row per incoming person record (one per admissions score file line):
-- its outcome (matched, potential or new), the person it matched, and the
-- rule or score that decided it. What outside checks and the student system
-- rely on.
with

outcomes as (

    select * from {{ ref('int_matching__outcomes') }}

),

new_records as (

    select * from {{ ref('int_matching__new_records') }}

),

final as (

    select
        o.record_id,
        o.file_name,
        o.line_number,
        o.format_name,
        o.file_id,
        o.received_at,
        o.id_type,
        o.vendor_person_id,
        o.first_name,
        o.last_name,
        o.birth_date,
        o.outcome,
        case when o.outcome = 'matched' then o.person_id end as person_id,
        case when o.outcome = 'new' then n.proposal_id end as proposal_id,
        o.match_rule,
        o.best_score as score,
        o.runner_up_score,
        o.candidates,
        case when o.outcome = 'potential' then o.automatic_rule end as review_reason,
        o.decision_id,
        o.decided_by,
        o.decided_at,
        o.decision_reason
    from outcomes as o
    left join new_records as n
        on o.record_id = n.record_id

)

select * from final
