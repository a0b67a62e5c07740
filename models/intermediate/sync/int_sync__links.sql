-- The link of every side-A learner, officer and organisation to side B (the
-- B id kept on side A) and its state: linked, unlinked, dangling or shared
-- (docs/sync.md, "Links").

{{ sync_link_states('learner', 'stg_sync__a_learners', 'learner_id', 'b_learner_id',
                    'stg_sync__b_learners', 'b_learner_id') }}
union all
{{ sync_link_states('officer', 'stg_sync__a_officers', 'officer_id', 'b_officer_id',
                    'stg_sync__b_officers', 'officer_id') }}
union all
{{ sync_link_states('organisation', 'stg_sync__a_organisations', 'org_id', 'b_org_id',
                    'stg_sync__b_organisations', 'org_id') }}
