-- Each person's best score of each test and component (int_evaluation__best_scores).
with

best as (

    select * from {{ ref('int_evaluation__best_scores') }}

),

final as (

    select
        person_id,
        test_code,
        test_name,
        component,
        score,
        test_date,
        score_id,
        is_official,
        file_id,
        file_name,
        line_number,
        scores_considered
    from best

)

select * from final
