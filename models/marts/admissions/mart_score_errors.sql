{{ config(materialized='view') }}

-- The errors of int_admissions__score_errors, without its per-file marks.
with

errors as (

    select * from {{ ref('int_admissions__score_errors') }}
    where rule is not null

),

final as (

    select
        error_id,
        format_name,
        file_id,
        file_name,
        line_number,
        field_name,
        field_value,
        rule,
        rule_detail,
        is_file_quarantined
    from errors

)

select * from final
