-- Each person's superscores with the best score of each part (int_evaluation__superscores).
with

superscores as (

    select * from {{ ref('int_evaluation__superscores') }}

),

final as (

    select
        person_id,
        test_code,
        superscore,
        method,
        parts_present,
        parts_needed,
        component,
        best_score,
        best_test_date,
        best_score_id,
        best_file_name,
        best_line_number
    from superscores

)

select * from final
