{{ config(materialized='view') }}

-- The change file for side A (`export sync --to a`; the exposure sync_to_a):
-- the pulled differences (B's value written back to A), minus what was sent
-- to A before with the same value.

{{ sync_outbound('a', "
    select 'update' as change_kind, entity, a_id as record_id, field_name, b_value as field_value
    from " ~ ref('mart_sync_differences') ~ "
    where sync_action = 'pull'") }}
