-- Every error and warning of the certification migration, for `migrate
-- certifications --check` and the operator.

select * from {{ ref('int_certification__problems') }}
