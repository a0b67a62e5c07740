-- Generated from seeds/layouts/layout_columns.csv (macros/admissions/admissions_parsed.sql).
{{ admissions_parsed('sat_csv') }}
