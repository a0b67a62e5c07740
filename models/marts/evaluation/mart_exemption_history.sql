-- Every exemption grant with its withdrawal, if any: what mart_exemptions
-- was at any past build, and why a grant ended (int_evaluation__exemption_history).
-- Grain: one row per grant (grant_id).
with

history as (

    select * from {{ ref('int_evaluation__exemption_history') }}

),

final as (

    select
        grant_id,
        exemption_id,
        person_id,
        rule_id,
        requirement,
        test_code,
        component_code,
        score,
        minimum_score,
        test_date,
        score_id,
        record_id,
        granted_at,
        withdrawn_at,
        withdrawn_reason,
        withdrawn_at is null as is_open
    from history

)

select * from final
