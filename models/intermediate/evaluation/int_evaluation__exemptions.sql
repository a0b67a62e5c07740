-- Every exemption the scores grant now: a matched person's official score of
-- an exemption rule's test and component at or above its minimum
-- (evaluation_exemption_rules). A score equal to the minimum grants. Grain:
-- one row per person, rule and granting score (exemption_id).
with

scores as (

    select * from {{ ref('int_evaluation__person_scores') }}
    where is_official

),

rules as (

    select * from {{ ref('evaluation_exemption_rules') }}

),

granted as (

    select
        s.person_id,
        r.rule_id,
        r.requirement,
        s.score_id,
        s.record_id,
        s.test_code,
        s.component_code,
        s.score,
        s.test_date,
        r.minimum_score
    from scores as s
    inner join rules as r
        on
            s.test_code = r.test_code
            and s.component_code = r.component_code
            and s.score >= r.minimum_score

),

final as (

    select
        {{ dbt.hash(dbt.concat(['person_id', "'|'", 'rule_id', "'|'", 'score_id'])) }}
            as exemption_id,
        *
    from granted

)

select * from final
