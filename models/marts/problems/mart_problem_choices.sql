-- The results a person may choose between when handling a conflicting_results
-- anomaly: every result with that anomaly on the same application (the anomaly's
-- own result included). `handle --result` accepts only these. A view, as mart_problems.
{{ config(materialized='view') }}

with

conflicts as (

    select * from {{ ref('mart_result_anomalies') }}
    where anomaly_type = 'conflicting_results'

),

final as (

    select
        problem.anomaly_id as problem_id,
        choice.result_id,
        choice.anomaly_id as choice_problem_id,
        choice.outcome,
        choice.test_date,
        choice.file_id,
        choice.line_number
    from conflicts as problem
    inner join conflicts as choice
        on problem.application_id = choice.application_id

)

select * from final
