-- The raw table renamed (macros/admissions/admissions_staging.sql); parsed in int_admissions__act_parsed.
{{ admissions_staging('act_csv') }}
