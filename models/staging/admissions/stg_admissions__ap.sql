-- The raw table renamed (macros/admissions/admissions_staging.sql); parsed in int_admissions__ap_parsed.
{{ admissions_staging('ap_csv') }}
