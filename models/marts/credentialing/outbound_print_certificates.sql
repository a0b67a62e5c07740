{{ config(materialized='view') }}

-- The rows of the next print-house file of certificates (macros/credentialing/outbound_print_file.sql).
{{ outbound_print_file('certificate') }}
