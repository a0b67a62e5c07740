{{ config(materialized='view') }}

-- The change file for side B (`export sync --to b`; the exposure sync_to_b):
-- the pushed differences (A's value), the records to create on B, and, with
-- send_disability, each linked learner's disability (B's extract has no
-- disability, so it goes whenever it differs from the last value sent).
-- Minus what was sent to B before with the same value.

{{ sync_outbound('b', "
    select 'update' as change_kind, entity, b_id as record_id, field_name, a_value as field_value
    from " ~ ref('mart_sync_differences') ~ "
    where sync_action = 'push'
    union all
    select 'create' as change_kind, entity, a_id as record_id, field_name, field_value
    from " ~ ref('mart_sync_creates') ~ "
    " ~ ("
    union all
    select 'update' as change_kind, 'learner' as entity, l.b_id as record_id,
        'disability' as field_name, a.disability as field_value
    from " ~ ref('int_sync__links') ~ " as l
    inner join " ~ ref('stg_sync__a_learners') ~ " as a on l.a_id = a.learner_id
    where l.entity = 'learner' and l.link_state = 'linked'
    " if var('sync_send_disability') else "")) }}
