-- The exemptions in force: per person and rule, the score that grants it
-- (the highest; a tie goes to the earliest test date, then the score id),
-- since when the person has held it without a break in the grants, and the
-- rule's effective entry terms with their dates (stg_requests__terms).
-- Grain: one row per person and rule.
with

history as (

    select * from {{ ref('int_evaluation__exemption_history') }}
    where withdrawn_at is null

),

rules as (

    select * from {{ ref('evaluation_exemption_rules') }}

),

terms as (

    select * from {{ ref('stg_requests__terms') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by person_id, rule_id
            order by score desc, test_date asc, score_id asc
        ) as score_rank,
        count(*) over (partition by person_id, rule_id) as granting_scores,
        min(granted_at) over (partition by person_id, rule_id) as exempt_since
    from history

),

final as (

    select
        ranked.person_id,
        ranked.rule_id,
        ranked.requirement,
        ranked.test_code,
        ranked.component_code,
        ranked.score,
        ranked.minimum_score,
        ranked.test_date,
        ranked.score_id,
        ranked.record_id,
        ranked.granting_scores,
        ranked.exempt_since,
        rules.effective_from_term,
        rules.effective_to_term,
        from_term.start_date as effective_from_date,
        to_term.end_date as effective_to_date
    from ranked
    left join rules
        on ranked.rule_id = rules.rule_id
    left join terms as from_term
        on rules.effective_from_term = from_term.term_code
    left join terms as to_term
        on rules.effective_to_term = to_term.term_code
    where ranked.score_rank = 1

)

select * from final
