-- The raw table renamed (macros/admissions/admissions_staging.sql); parsed in int_admissions__preact_parsed.
{{ admissions_staging('preact_fixed') }}
