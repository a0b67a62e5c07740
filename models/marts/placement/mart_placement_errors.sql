{{ error_rows(ref('stg_placement__checks')) }}
