{{ config(materialized='table') }}

-- A table: the best scores, purpose marks, outbound_scores and their tests read it
-- (as a view each one sorted the whole history again).
-- Every score of a matched person that can be a best score, ranked within
-- its person, test and component: official_rank among the official scores
-- (null for the others), any_rank among all. Best first: the highest score,
-- then the earliest test date (a score without a date after the dated
-- ones), then the smallest score_id. The vendor's own superscore block
-- (evaluation_superscore_parts: ACT's sup_* components) is left out: it is
-- the vendor's view over its sittings, not an administration.
with

scores as (

    select * from {{ ref('int_evaluation__person_scores') }}

),

parts as (

    select * from {{ ref('evaluation_superscore_parts') }}

),

vendor_components as (

    select
        test_code,
        vendor_component as component
    from parts
    where vendor_component is not null
    union
    select
        test_code,
        vendor_superscore_component as component
    from parts
    where vendor_superscore_component is not null

),

administered as (

    select s.*
    from scores as s
    where not exists (
        select 1 from vendor_components as v
        where s.test_code = v.test_code and s.component = v.component
    )

),

final as (

    select
        score_id,
        person_id,
        test_code,
        test_name,
        component,
        score,
        test_date,
        is_official,
        format_name,
        file_id,
        file_name,
        line_number,
        case
            when is_official
                then row_number() over (
                    partition by person_id, test_code, component, is_official
                    order by
                        score desc,
                        case when test_date is null then 1 else 0 end asc,
                        test_date asc,
                        score_id asc
                )
        end as official_rank,
        row_number() over (
            partition by person_id, test_code, component
            order by
                score desc,
                case when test_date is null then 1 else 0 end asc,
                test_date asc,
                score_id asc
        ) as any_rank
    from administered

)

select * from final
