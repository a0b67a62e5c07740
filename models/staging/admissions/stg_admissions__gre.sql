-- The raw table renamed (macros/admissions/admissions_staging.sql); parsed in int_admissions__gre_parsed.
{{ admissions_staging('gre_fixed') }}
