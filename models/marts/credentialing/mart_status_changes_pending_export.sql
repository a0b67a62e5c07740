-- Decisions the organisation's system has not been sent yet (export
-- status-changes records what it sent in ops.status_change_export_items;
-- outbound_status_changes reads that record live). Only our own decisions go
-- out (a result's, or a person's choice among conflicting results), never
-- the organisation's own statuses; and nothing for an application whose
-- conflicting results nobody has resolved yet: the correction goes out once
-- a person chooses the result that stands.

with decisions as (

    select * from {{ ref('fct_application_status_history') }}
    where status_source in ('result', 'resolution')

),

held_back as (

    select application_id from {{ ref('mart_application_status') }}
    where has_unresolved_conflict

),

exported as (

    select distinct status_change_id
    from {{ ref('stg_ops__status_change_export_items') }}

)

select
    decisions.status_change_id,
    decisions.application_id,
    decisions.person_id,
    decisions.exam_code,
    decisions.from_status,
    decisions.to_status,
    decisions.changed_at,
    decisions.result_id
from decisions
-- not exists: a long export history would make `not in` quadratic
where
    not exists (
        select 1 from exported as e
        where e.status_change_id = decisions.status_change_id
    )
    and not exists (
        select 1 from held_back as h
        where h.application_id = decisions.application_id
    )
