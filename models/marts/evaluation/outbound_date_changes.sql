{{ config(materialized='view') }}

-- The rows of the date-change file: every change of mart_test_date_changes
-- no date-change file has held yet (ops.date_change_items, read live), so a
-- second export right after the first sends nothing twice.
with

changes as (

    select * from {{ ref('mart_test_date_changes') }}

),

sent as (

    select * from {{ ref('stg_ops__date_change_items') }}

),

final as (

    select
        changes.change_id,
        changes.person_id,
        changes.test_code,
        changes.record_id,
        changes.vendor_person_id,
        changes.old_test_date,
        changes.new_test_date,
        changes.date_rule
    from changes
    where
        changes.change_id not in (
            select sent.change_id from sent
        )

)

select * from final
