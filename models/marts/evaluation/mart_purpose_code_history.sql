-- Every purpose mark ever made, current and replaced (int_evaluation__purpose_mark_history).
with

history as (

    select * from {{ ref('int_evaluation__purpose_mark_history') }}

),

final as (

    select
        mark_version_id,
        person_id,
        indicator,
        test_letter,
        test_code,
        component,
        is_marked,
        score_id,
        score,
        test_date,
        file_name,
        line_number,
        unmarkable_reason,
        valid_from,
        valid_to,
        valid_to is null as is_current
    from history

)

select * from final
