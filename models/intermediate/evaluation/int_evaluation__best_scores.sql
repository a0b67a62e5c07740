-- The best score of each person, test and component (int_evaluation__ranked_scores:
-- highest, then earliest date, then smallest score_id), over the official
-- scores, or over all when the var evaluation_best_includes_unofficial is true.
with

ranked as (

    select * from {{ ref('int_evaluation__ranked_scores') }}

),

counted as (

    select
        *,
        count(*) over (partition by person_id, test_code, component) as scores_considered
    from ranked
    {%- if not var('evaluation_best_includes_unofficial') %}
        where is_official
    {%- endif %}

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
        format_name,
        file_id,
        file_name,
        line_number,
        scores_considered
    from counted
    where
        {%- if var('evaluation_best_includes_unofficial') %}
            any_rank = 1
        {%- else %}
            official_rank = 1
        {%- endif %}

)

select * from final
