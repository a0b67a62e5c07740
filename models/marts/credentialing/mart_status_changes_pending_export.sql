-- Decisions the organisation's system has not been sent yet (export
-- status-changes records what it sent in ops.status_change_export_items;
-- outbound_status_changes reads that record live).

with decisions as (

    select * from {{ ref('fct_application_status_history') }}

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
where not exists (
    select 1 from exported as e
    where e.status_change_id = decisions.status_change_id
)
