-- Generated from seeds/layouts/layout_columns.csv (macros/admissions/admissions_staging.sql).
{{ admissions_staging('ap_csv') }}
