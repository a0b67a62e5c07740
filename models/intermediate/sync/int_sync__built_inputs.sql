{{ config(materialized='table') }}

-- The inputs fingerprint of the last build of the three sync marts, written
-- after them: their next incremental build compares the current
-- int_sync__inputs with it (macro sync_inputs_changed), so a mart with no
-- rows (no conflict today) is not recomputed when nothing changed.
-- depends_on: {{ ref('mart_sync_differences') }}
-- depends_on: {{ ref('mart_sync_creates') }}
-- depends_on: {{ ref('mart_sync_conflicts') }}

select fingerprint from {{ ref('int_sync__inputs') }}
