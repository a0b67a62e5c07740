{{ config(
    materialized='incremental',
    unique_key='grant_id',
    on_schema_change='fail',
) }}

{%- set now = dbt.current_timestamp() %}
-- depends_on: {{ ref('int_admissions__scores') }}
-- depends_on: {{ ref('int_matching__outcomes') }}
-- depends_on: {{ ref('evaluation_exemption_rules') }}

-- Every exemption ever granted, kept: when a build first saw the score grant
-- it (granted_at) and, once the score no longer grants it, when and why it
-- was withdrawn. Incremental: a build adds the exemptions granted now with no
-- open grant (new, or granted again after a withdrawal: a new row) and closes
-- the open grants no longer granted; a closed grant never changes. Grain: one
-- row per grant (grant_id); at most one open grant per exemption_id.
with

current_exemptions as (

    select * from {{ ref('int_evaluation__exemptions') }}

),

{% if is_incremental() %}

    open_grants as (

        select * from {{ this }}
        where withdrawn_at is null

    ),

    scores as (

        select * from {{ ref('int_admissions__scores') }}

    ),

    outcomes as (

        select * from {{ ref('int_matching__outcomes') }}

    ),

    rules as (

        select * from {{ ref('evaluation_exemption_rules') }}

    ),

    -- The first reason that holds, from the score itself to the rule.
    withdrawn as (

        select
            g.grant_id,
            g.exemption_id,
            g.person_id,
            g.rule_id,
            g.requirement,
            g.score_id,
            g.record_id,
            g.test_code,
            g.component_code,
            g.score,
            g.test_date,
            g.minimum_score,
            g.granted_at,
            {{ now }} as withdrawn_at,
            case
                when s.score_id is null then 'score_removed'
                when s.has_error then 'score_error'
                when not s.is_official then 'score_not_official'
                when o.outcome is null or o.outcome <> 'matched' then 'record_unmatched'
                when o.person_id <> g.person_id then 'record_moved'
                when r.rule_id is null then 'rule_removed'
                else 'rule_changed'
            end as withdrawn_reason
        from open_grants as g
        left join scores as s
            on g.score_id = s.score_id
        left join outcomes as o
            on g.record_id = o.record_id
        left join rules as r
            on g.rule_id = r.rule_id
        where
            g.exemption_id not in (
                select c.exemption_id from current_exemptions as c
            )

    ),

{% endif %}

granted as (

    select
        {{ dbt.hash(dbt.concat(['c.exemption_id', "'|'",
                                'cast(' ~ now ~ ' as ' ~ dbt.type_string() ~ ')'])) }}
            as grant_id,
        c.exemption_id,
        c.person_id,
        c.rule_id,
        c.requirement,
        c.score_id,
        c.record_id,
        c.test_code,
        c.component_code,
        c.score,
        c.test_date,
        c.minimum_score,
        {{ now }} as granted_at,
        nullif({{ now }}, {{ now }}) as withdrawn_at,
        cast(null as {{ dbt.type_string() }}) as withdrawn_reason
    from current_exemptions as c
    {%- if is_incremental() %}
        where
            c.exemption_id not in (
                select g.exemption_id from open_grants as g
            )
    {%- endif %}

),

final as (

    select * from granted
    {%- if is_incremental() %}
        union all
        select * from withdrawn
    {%- endif %}

)

select * from final
