-- The raw table renamed (macros/admissions/admissions_staging.sql); parsed in int_admissions__sat_parsed.
{{ admissions_staging('sat_csv') }}
