{{ config(materialized='view') }}

-- The rows of the next status-change file: the decisions
-- mart_status_changes_pending_export lists that no status-change file holds
-- yet, read from the export record as it is now (a view), so a second export
-- right after the first sends nothing.

with pending as (

    select * from {{ ref('mart_status_changes_pending_export') }}

),

exported as (

    select distinct status_change_id
    from {{ ref('stg_ops__status_change_export_items') }}

),

final as (

    select
        pending.status_change_id,
        pending.application_id,
        pending.person_id,
        pending.exam_code,
        pending.from_status,
        pending.to_status,
        pending.changed_at,
        pending.result_id
    from pending
    -- not exists: a long export history would make `not in` quadratic
    where not exists (
        select 1 from exported
        where exported.status_change_id = pending.status_change_id
    )

)

select * from final
