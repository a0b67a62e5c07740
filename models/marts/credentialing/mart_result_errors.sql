-- The checks model also records each file it checked (rows without a
-- reason); the errors are the rest.
{{ error_rows(
    '(select * from ' ~ ref('int_credentialing__result_checks')
    ~ ' where reason is not null) as problems'
) }}
