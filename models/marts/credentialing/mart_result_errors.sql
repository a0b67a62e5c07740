{{ error_rows(ref('int_credentialing__result_checks')) }}
