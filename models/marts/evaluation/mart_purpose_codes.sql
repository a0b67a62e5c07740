-- The purpose marks as they stand: each person's current indicator with
-- the best score marked as used for admission, or the reason none can be.
with

history as (

    select * from {{ ref('int_evaluation__purpose_mark_history') }}
    where valid_to is null

),

final as (

    select
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
        valid_from as marked_at
    from history

)

select * from final
