{{ config(materialized='view') }}

-- The archive of what the student system received: every score a scores
-- file sent (ops.score_export_items), one row per score with its latest
-- sending, the first, and how many times it went (a change sends it again).
-- Sent scores leave outbound_scores until something about them changes;
-- here they stay. A view: an export a second ago already shows.
with

sent as (

    select * from {{ ref('stg_ops__score_export_items') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by score_id order by sent_at desc, score_export_file_id desc
        ) as newest_first,
        min(sent_at) over (partition by score_id) as first_sent_at,
        count(*) over (partition by score_id) as times_sent
    from sent

),

final as (

    select
        score_id,
        person_id,
        score_export_file_id as last_score_export_file_id,
        file_name as last_file_name,
        sent_at as last_sent_at,
        first_sent_at,
        times_sent,
        content_hash,
        change_kind as last_change_kind
    from ranked
    where newest_first = 1

)

select * from final
