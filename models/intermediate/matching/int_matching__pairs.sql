{{ config(
    materialized='table',
    pre_hook=["{{ matching_working_memory() }}"],
    post_hook=["{{ refresh_statistics() }}"],
) }}

{#- The records scored by earlier builds are in int_matching__candidates, which
    is downstream of this model: its table is read by name, as the last build
    left it (on a full refresh, or before it exists, nothing is scored yet). -#}
{%- set scored = none -%}
{%- if execute and not (flags is defined and flags.FULL_REFRESH) -%}
    {%- set scored = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_matching__candidates') -%}
{%- endif %}

-- The candidate pairs of the records no build has scored yet: the persons
-- their vendor id is known for, else the persons any blocking rule
-- (seeds/matching/matching_blocking_rules.csv) pairs them with, with the
-- rules that did and the name keys the comparisons need. A record with no
-- candidate has one row whose person_id is null. A table, rebuilt each
-- build (only the new records' pairs), so the comparisons are planned with
-- its statistics. Grain: record_id, person_id.
with

-- Read by the blocking rules' CTEs (none while linting, hence the noqa).
settings as (  -- noqa: ST03

    select * from {{ ref('int_matching__settings') }}

),

records as (

    select r.* from {{ ref('int_matching__records') }} as r
    {%- if scored is not none %}
        -- not exists: a `not in` list larger than work_mem is scanned once per row
        where not exists (
            select 1 from {{ scored }} as t
            where t.record_id = r.record_id
        )
    {%- endif %}

),

person_ids as (

    select * from {{ ref('stg_matching__person_ids') }}

),

decided_records as (

    select * from {{ ref('int_matching__decided_records') }}

),

-- Vendor ids known for a person: the organisation's, and those of records
-- matched automatically by an earlier build (offered to the student system
-- by mart_new_vendor_ids meanwhile).
known_ids as (

    select
        id_type,
        id_value,
        person_id,
        'known vendor id' as known_from
    from person_ids
    {% if scored is not none %}
        union all
        select distinct
            t.id_type,
            t.vendor_person_id as id_value,
            t.matched_person_id as person_id,
            'vendor id matched before' as known_from
        from {{ scored }} as t
        where
            t.automatic_outcome = 'matched'
            and t.candidate_rank = 1
            and t.id_type is not null
            and t.vendor_person_id is not null
            and not exists (
                select 1 from person_ids as o
                where
                    t.id_type = o.id_type
                    and t.vendor_person_id = o.id_value
            )
    {% endif %}
    union all
    select distinct
        id_type,
        vendor_person_id as id_value,
        person_id,
        'vendor id decided before' as known_from
    from decided_records
    where decision = 'same_person'

),

id_candidates as (

    select
        r.record_id,
        k.person_id,
        min(k.known_from) as rule_name
    from records as r
    inner join known_ids as k
        on
            r.id_type = k.id_type
            and r.vendor_person_id = k.id_value
    group by r.record_id, k.person_id

),

-- Records whose vendor id is known need no other candidates (the blocking
-- rules' CTEs read this; the linter sees no rules, hence the noqa).
records_to_block as (  -- noqa: ST03

    select r.*
    from records as r
    where
        not exists (
            select 1 from id_candidates as i
            where r.record_id = i.record_id
        )
        and not exists (
            select 1 from decided_records as d
            where
                d.decision = 'new_person'
                and r.id_type = d.id_type
                and r.vendor_person_id = d.vendor_person_id
        )

),

{%- for rule in matching_blocking_rules() %}

-- Blocking rule {{ rule.name }}: keys shared by more than max_block_size
-- persons give no candidates.
oversized_{{ rule.name }} as (

    select
        {%- for col in rule.person_key %}
        p.{{ col }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_matching__persons') }} as p
    where
        {%- for col in rule.person_key %}
        p.{{ col }} is not null{{ ' and' if not loop.last }}
        {%- endfor %}
    group by
        {%- for col in rule.person_key %}
        p.{{ col }}{{ ',' if not loop.last }}
        {%- endfor %}
    having count(*) > (select max(s.max_block_size) from settings as s)

),

block_{{ rule.name }} as (

    select
        r.record_id,
        p.person_id,
        '{{ rule.name }}' as rule_name
    from records_to_block as r
    inner join {{ ref('int_matching__persons') }} as p
        on
        {%- for col in rule.record_key %}
            r.{{ col }} = p.{{ rule.person_key[loop.index0] }}{{ ' and' if not loop.last }}
        {%- endfor %}
    where not exists (
        select 1 from oversized_{{ rule.name }} as o
        where
        {%- for col in rule.person_key %}
            p.{{ col }} = o.{{ col }}{{ ' and' if not loop.last }}
        {%- endfor %}
    )

),

{%- endfor %}

blocked as (

    select * from id_candidates
    {%- for rule in matching_blocking_rules() %}
    union all
    select * from block_{{ rule.name }}
    {%- endfor %}

),

grouped as (

    select
        record_id,
        person_id,
        {{ dbt.listagg('rule_name', "', '", 'order by rule_name') }} as rules,
        max(case when rule_name in {{ matching_rules_known_id() }} then 1 else 0 end)
            as is_known_id
    from blocked
    group by record_id, person_id

),

final as (

    select
        r.record_id,
        g.person_id,
        g.rules,
        coalesce(g.is_known_id, 0) as is_known_id,
        r.first_key as r_first,
        r.last_key as r_last,
        p.first_key as p_first,
        p.last_key as p_last
    from records as r
    left join grouped as g
        on r.record_id = g.record_id
    left join {{ ref('int_matching__persons') }} as p
        on g.person_id = p.person_id

)

select * from final
