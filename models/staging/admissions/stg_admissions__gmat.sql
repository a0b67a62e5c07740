-- The raw table renamed (macros/admissions/admissions_staging.sql); parsed in int_admissions__gmat_parsed.
{{ admissions_staging('gmat_csv') }}
