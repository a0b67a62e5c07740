{{ config(materialized='view') }}

-- The rows of the next print-house file of ID cards (macros/credentialing/outbound_print_file.sql).
{{ outbound_print_file('id-card') }}
