{{ config(materialized='view') }}

-- The incoming records a purge may take out of the matching working tables:
-- never matched (potential or new) and never decided (no ops.match_decisions
-- row), received more than var('matching_purge_after_days') days ago.
-- `match purge` (and `run`) records and removes them. A view, read when the
-- purge runs.
with

outcomes as (

    select * from {{ ref('int_matching__outcomes') }}

),

decisions as (

    select * from {{ ref('stg_ops__match_decisions') }}
    where record_id is not null

),

final as (

    select
        o.record_id,
        o.file_id,
        o.line_number,
        o.outcome,
        o.received_at,
        {{ var('matching_purge_after_days') }} as retention_days
    from outcomes as o
    left join decisions as d
        on o.record_id = d.record_id
    where
        o.outcome <> 'matched'
        and d.record_id is null
        and o.received_at < {{ dbt.dateadd('day', '-1 * ' ~ var('matching_purge_after_days'), dbt.current_timestamp()) }}

)

select * from final
