{{ config(materialized='table') }}

-- Every incoming record's outcome: the automatic one (int_matching__candidates)
-- unless a person decided the record (ops.match_decisions), with persons a
-- person declared the same (persons_same) read as the one that stays.
-- Grain: one row per record.
with

records as (

    select * from {{ ref('int_matching__records') }}

),

candidates as (

    select * from {{ ref('int_matching__candidates') }}
    where candidate_rank is null or candidate_rank = 1

),

decisions as (

    select * from {{ ref('stg_ops__match_decisions') }}

),

record_decisions as (

    select * from decisions
    where decision in ('same_person', 'new_person')

),

-- A duplicate person (other_person_id) is read as the person that stays.
merged_persons as (

    select
        other_person_id as duplicate_person_id,
        person_id as kept_person_id
    from decisions
    where decision = 'persons_same'

),

combined as (

    select
        r.record_id,
        r.format_name,
        r.file_id,
        r.file_name,
        r.line_number,
        r.received_at,
        r.id_type,
        r.vendor_person_id,
        r.first_name,
        r.middle_name,
        r.last_name,
        r.birth_date,
        r.invalid_reason,
        c.automatic_outcome,
        c.automatic_rule,
        c.matched_person_id as automatic_person_id,
        c.best_score,
        c.runner_up_score,
        c.candidates,
        c.candidate_person_id as best_candidate_person_id,
        d.decision,
        d.decision_id,
        d.reason as decision_reason,
        d.decided_by,
        d.decided_at,
        case
            when d.decision = 'same_person' then 'matched'
            when d.decision = 'new_person' then 'new'
            else c.automatic_outcome
        end as outcome,
        case
            when d.decision = 'same_person' then d.person_id
            when d.decision = 'new_person' then null
            else c.matched_person_id
        end as decided_person_id,
        case
            when d.decision is not null then 'decision: ' || d.decision
            else c.automatic_rule
        end as match_rule
    from records as r
    inner join candidates as c
        on r.record_id = c.record_id
    left join record_decisions as d
        on r.record_id = d.record_id

),

final as (

    select
        c.*,
        coalesce(m.kept_person_id, c.decided_person_id) as person_id
    from combined as c
    left join merged_persons as m
        on c.decided_person_id = m.duplicate_person_id

)

select * from final
