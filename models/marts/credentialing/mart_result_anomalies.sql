-- A view: the anomalies are kept (incrementally) in
-- int_credentialing__result_anomalies; this names the columns people use.
{{ config(materialized='view') }}

select
    anomaly_id,
    result_id,
    anomaly_type,
    explanation,
    application_id,
    candidate_id,
    eligibility_id,
    exam_code,
    test_date,
    outcome,
    file_id,
    line_number
from {{ ref('int_credentialing__result_anomalies') }}
