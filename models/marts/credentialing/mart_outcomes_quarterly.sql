-- Outcomes per exam and quarter of the test date, one per application
-- attempt: a result counts as passed, failed or no-show when it is the one
-- that decides its application's current status, or when it matched an
-- application with no anomaly (it decided it, or agrees with what the
-- organisation recorded). Any other result is an anomaly, counted in one
-- column of its own by the first that applies: no application, conflicting,
-- withdrawn, unknown person, other. So every valid result is counted once.

with results as (

    select
        result_id,
        exam_code,
        test_date,
        outcome,
        application_id
    from {{ ref('fct_exam_results') }}

),

anomalies as (

    select
        result_id,
        max(case
            when anomaly_type in ('no_matching_application', 'unknown_exam') then 1 else 0
        end) as has_no_application,
        max(case when anomaly_type = 'conflicting_results' then 1 else 0 end) as is_conflicting,
        max(case when anomaly_type = 'candidate_mismatch' then 1 else 0 end) as is_other_person
    from {{ ref('int_credentialing__result_anomalies') }}
    group by result_id

),

statuses as (

    select
        application_id,
        current_status,
        status_change_id
    from {{ ref('mart_application_status') }}

),

deciding as (

    select history.result_id
    from {{ ref('fct_application_status_history') }} as history
    inner join statuses
        on history.status_change_id = statuses.status_change_id

),

classified as (

    select
        results.exam_code,
        cast({{ dbt.date_trunc('quarter', 'results.test_date') }} as date) as quarter_start,
        results.outcome,
        case
            when deciding.result_id is not null then 'counted'
            when anomalies.has_no_application = 1 then 'no_application'
            when anomalies.is_conflicting = 1 then 'conflicting'
            when statuses.current_status = 'Withdrawn' then 'withdrawn'
            when anomalies.is_other_person = 1 then 'unknown_person'
            when anomalies.result_id is null and results.application_id is not null then 'counted'
            else 'other_anomaly'
        end as counted_as
    from results
    left join anomalies
        on results.result_id = anomalies.result_id
    left join deciding
        on results.result_id = deciding.result_id
    left join statuses
        on results.application_id = statuses.application_id

),

counts as (

    select
        exam_code,
        quarter_start,
        sum(case when counted_as = 'counted' and outcome = 'Passed' then 1 else 0 end) as passed,
        sum(case when counted_as = 'counted' and outcome = 'Failed' then 1 else 0 end) as failed,
        sum(case when counted_as = 'counted' and outcome = 'No-show' then 1 else 0 end) as no_show,
        sum(case when counted_as = 'no_application' then 1 else 0 end) as no_application,
        sum(case when counted_as = 'conflicting' then 1 else 0 end) as conflicting,
        sum(case when counted_as = 'withdrawn' then 1 else 0 end) as withdrawn,
        sum(case when counted_as = 'unknown_person' then 1 else 0 end) as unknown_person,
        sum(case when counted_as = 'other_anomaly' then 1 else 0 end) as other_anomalies,
        count(*) as results
    from classified
    group by exam_code, quarter_start

),

final as (

    select
        exam_code,
        quarter_start,
        cast(passed as integer) as passed,
        cast(failed as integer) as failed,
        cast(no_show as integer) as no_show,
        cast(passed + failed + no_show as integer) as total,
        round(
            cast(passed as {{ dbt.type_numeric() }}) / nullif(passed + failed, 0), 4
        ) as pass_rate,
        cast(no_application as integer) as no_application,
        cast(conflicting as integer) as conflicting,
        cast(withdrawn as integer) as withdrawn,
        cast(unknown_person as integer) as unknown_person,
        cast(other_anomalies as integer) as other_anomalies,
        cast(no_application + conflicting + withdrawn + unknown_person + other_anomalies as integer)
            as anomalies,
        cast(results as integer) as results
    from counts

)

select * from final
