select * from {{ ref('int_credentialing__result_anomalies') }}
