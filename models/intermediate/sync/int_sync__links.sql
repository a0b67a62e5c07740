{{ config(
    materialized='incremental',
    pre_hook=["{{ sync_drop_stale_rows() }}"],
    post_hook=["{{ refresh_statistics() }}"],
    on_schema_change='fail',
) }}

-- The link of every side-A learner, officer and organisation to side B (the
-- B id kept on side A) and its state: linked, unlinked, dangling or shared
-- (docs/sync.md, "Links"). A table the three sync marts read, rebuilt whole
-- when the sync's inputs change and untouched when they do not, like them
-- (sync_inputs_changed).

with

links as (

    {{ sync_link_states('learner', 'stg_sync__a_learners', 'learner_id', 'b_learner_id',
                        'stg_sync__b_learners', 'b_learner_id') }}
    union all
    {{ sync_link_states('officer', 'stg_sync__a_officers', 'officer_id', 'b_officer_id',
                        'stg_sync__b_officers', 'officer_id') }}
    union all
    {{ sync_link_states('organisation', 'stg_sync__a_organisations', 'org_id', 'b_org_id',
                        'stg_sync__b_organisations', 'org_id') }}

),

final as (

    select
        l.entity,
        l.a_id,
        l.b_id,
        l.link_state,
        i.fingerprint as inputs_fingerprint
    from links as l
    cross join {{ ref('int_sync__inputs') }} as i
    where {{ sync_inputs_changed() }}

)

select * from final
