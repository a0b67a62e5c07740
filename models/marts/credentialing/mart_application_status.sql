-- The current status of each application: the newest event of its history
-- (fct_application_status_history applies the rules: a stale Pending from the
-- organisation never reverts a result's decision; an organisation decision
-- that differs is honoured). has_unresolved_conflict: the application has
-- conflicting results and nobody has chosen the one that stands yet; its
-- decision is held back from the status-change file and the print queue.

with applications as (

    select * from {{ ref('int_credentialing__applications') }}

),

history as (

    select
        *,
        row_number() over (
            partition by application_id order by event_number desc
        ) as newest_first
    from {{ ref('fct_application_status_history') }}

),

latest as (

    select * from history
    where newest_first = 1

),

conflicts as (

    select
        anomalies.application_id,
        max(case when handling.chosen_result_id is not null then 1 else 0 end) as is_resolved
    from {{ ref('int_credentialing__result_anomalies') }} as anomalies
    left join {{ ref('stg_ops__problem_handling') }} as handling
        on anomalies.anomaly_id = handling.problem_id
    where anomalies.anomaly_type = 'conflicting_results'
    group by anomalies.application_id

),

final as (

    select
        applications.application_id,
        applications.person_id,
        applications.exam_code,
        applications.submitted_at,
        applications.status as recorded_status,
        coalesce(latest.to_status, applications.status) as current_status,
        coalesce(latest.status_source, 'organisation') as status_source,
        latest.changed_at as status_changed_at,
        latest.status_change_id,
        coalesce(conflicts.is_resolved = 0, false) as has_unresolved_conflict
    from applications
    left join latest
        on applications.application_id = latest.application_id
    left join conflicts
        on applications.application_id = conflicts.application_id

)

select * from final
