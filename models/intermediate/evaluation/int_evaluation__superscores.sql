-- Each person's superscore of each test in evaluation_superscore_parts, from
-- the best scores of its parts (int_evaluation__best_scores, each with its
-- own date): sum (SAT: EBRW + Math) or average (ACT: English, Math, Reading,
-- Science, rounded to the nearest whole number, halves up). Null until the
-- person has a best score for every part. Grain: person, test and part.
with

best as (

    select * from {{ ref('int_evaluation__best_scores') }}

),

parts as (

    select * from {{ ref('evaluation_superscore_parts') }}

),

parts_needed as (

    select
        test_code,
        max(method) as superscore_method,
        count(*) as parts_needed
    from parts
    group by test_code

),

part_bests as (

    select
        b.person_id,
        b.test_code,
        b.component,
        b.score,
        b.test_date,
        b.score_id,
        b.file_name,
        b.line_number
    from best as b
    inner join parts as p
        on
            b.test_code = p.test_code
            and b.component = p.component

),

totals as (

    select
        person_id,
        test_code,
        count(*) as parts_present,
        sum(score) as score_sum
    from part_bests
    group by person_id, test_code

),

superscored as (

    select
        t.person_id,
        t.test_code,
        n.superscore_method as method,  -- noqa: RF04
        t.parts_present,
        n.parts_needed,
        case
            when t.parts_present < n.parts_needed then null
            when n.superscore_method = 'sum' then t.score_sum
            -- Halves up in whole numbers: floor((2 * sum + n) / (2 * n)).
            else floor(
                cast(2 * t.score_sum + n.parts_needed as {{ dbt.type_numeric() }})
                / (2 * n.parts_needed)
            )
        end as superscore
    from totals as t
    inner join parts_needed as n
        on t.test_code = n.test_code

),

final as (

    select
        s.person_id,
        s.test_code,
        cast(s.superscore as {{ dbt.type_int() }}) as superscore,
        s.method,
        s.parts_present,
        s.parts_needed,
        b.component,
        b.score as best_score,
        b.test_date as best_test_date,
        b.score_id as best_score_id,
        b.file_name as best_file_name,
        b.line_number as best_line_number
    from superscored as s
    inner join part_bests as b
        on
            s.person_id = b.person_id
            and s.test_code = b.test_code

)

select * from final
