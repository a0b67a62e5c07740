-- The raw table renamed (macros/admissions/admissions_staging.sql); parsed in int_admissions__accuplacer_parsed.
{{ admissions_staging('accuplacer_csv') }}
