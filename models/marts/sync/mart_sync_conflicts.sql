{{ config(
    materialized='incremental',
    pre_hook=["{{ sync_drop_stale_rows() }}"],
    on_schema_change='fail',
) }}

-- What the sync cannot bring into line, with the reason: a link pointing at
-- a missing record, two A records linked to one B record (neither is
-- compared), a B record no A record links to, a qualification B has and A
-- has not. Nothing here is sent; each needs a person (docs/sync.md).
-- Rebuilt whole when its inputs change, untouched when they do not.

with

links as (

    select * from {{ ref('int_sync__links') }}

),

b_records as (

    select
        'learner' as entity,
        b_learner_id as b_id
    from {{ ref('stg_sync__b_learners') }}
    union all
    select
        'officer' as entity,
        officer_id as b_id
    from {{ ref('stg_sync__b_officers') }}
    union all
    select
        'organisation' as entity,
        org_id as b_id
    from {{ ref('stg_sync__b_organisations') }}

),

conflicts as (

    select
        entity,
        a_id,
        b_id,
        'dangling_link' as conflict_kind,
        {{ dbt.concat(["'The ' ", 'entity', "' ' ", 'a_id', "' on A is linked to B id '", 'b_id',
                       "', which is not on B.'"]) }} as reason
    from links
    where link_state = 'dangling'
    union all
    select
        entity,
        a_id,
        b_id,
        'shared_link' as conflict_kind,
        {{ dbt.concat(["'More than one ' ", 'entity', "' on A is linked to B id '", 'b_id',
                       "'; none of them is compared until one link is removed.'"]) }} as reason
    from links
    where link_state = 'shared'
    union all
    select
        b.entity,
        cast(null as {{ dbt.type_string() }}) as a_id,
        b.b_id,
        'only_on_b' as conflict_kind,
        {{ dbt.concat(["'The ' ", 'b.entity', "' ' ", 'b.b_id',
                       "' on B is not linked from any record on A.'"]) }} as reason
    from b_records as b
    left join links as l
        on b.entity = l.entity and b.b_id = l.b_id
    where l.b_id is null
    union all
    select
        'qualification' as entity,
        cast(null as {{ dbt.type_string() }}) as a_id,
        {{ dbt.concat(['b.learner_id', "'/'", 'b.qualification_code']) }} as b_id,
        'qualification_only_on_b' as conflict_kind,
        {{ dbt.concat(["'Qualification '", 'b.qualification_code', "' of B learner '",
                       'b.learner_id', "' is not on A.'"]) }} as reason
    from {{ ref('stg_sync__b_qualifications') }} as b
    inner join links as l
        on l.entity = 'learner' and l.link_state = 'linked' and b.learner_id = l.b_id
    left join {{ ref('stg_sync__a_qualifications') }} as a
        on l.a_id = a.learner_id and b.qualification_code = a.qualification_code
    where a.learner_id is null

),

final as (

    select
        c.entity,
        c.a_id,
        c.b_id,
        c.conflict_kind,
        c.reason,
        i.fingerprint as inputs_fingerprint
    from conflicts as c
    cross join {{ ref('int_sync__inputs') }} as i
    where {{ sync_inputs_changed() }}

)

select * from final
