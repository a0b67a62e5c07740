{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='file_id',
    on_schema_change='fail',
    post_hook=["{{ refresh_statistics() }}"],
    indexes=[{'columns': ['file_id'], 'unique': True}, {'columns': ['rebuilt_at']}],
) }}

-- Incremental (delete+insert by file_id): a build writes again the files new
-- to the manifest or whose custody status changed, and those whose errors
-- int_admissions__score_errors wrote again (landed since, or their scores
-- rewritten); the counts of the others cannot have changed.
with

all_files as (

    select * from {{ ref('stg_raw__file_manifest') }}
    where
        format_name in ({{ admissions_format_list() }})
        and status <> 'refused'

),
{% if is_incremental() %}
    batch_files as (

        select a.file_id
        from all_files as a
        left join {{ this }} as t
            on a.file_id = t.file_id
        where t.file_id is null or t.status <> a.status
        union
        select file_id from {{ ref('int_admissions__score_errors') }}
        where {{ admissions_rebuilt_since() }}
        union
        -- A file whose every score a file landed late took over.
        select t.file_id from {{ this }} as t
        where
            t.scores_loaded > 0
            and not exists (
                select 1 from {{ ref('int_admissions__scores') }} as s
                where s.file_id = t.file_id
            )

    ),
{% endif %}
manifest as (

    select * from all_files
    where {{ admissions_in_batch() }}

),

records as (

    select
        file_id,
        rows_read,
        rows_parsed
    from {{ ref('int_admissions__file_checks') }}
    where file_id in (select m.file_id from manifest as m)

),

errors as (

    select
        file_id,
        count(distinct line_number) as rows_flagged,
        count(*) as errors
    from {{ ref('int_admissions__score_errors') }}
    where
        rule is not null
        and file_id in (select m.file_id from manifest as m)
    group by file_id

),

scores as (

    select
        file_id,
        count(*) as scores_loaded
    from {{ ref('int_admissions__scores') }}
    where file_id in (select m.file_id from manifest as m)
    group by file_id

),

file_layouts as (

    select * from {{ ref('int_admissions__file_layouts_chosen') }}

),

quarantine as (

    select * from {{ ref('mart_file_quarantine') }}

),

final as (

    select
        m.file_id,
        m.format_name,
        m.source_name,
        m.file_name,
        m.received_at,
        m.status,
        l.layout_version,
        l.layout_match,
        coalesce(r.rows_read, 0) as rows_read,
        coalesce(r.rows_parsed, 0) as rows_parsed,
        coalesce(e.rows_flagged, 0) as rows_flagged,
        coalesce(e.errors, 0) as errors,
        case when q.file_id is not null then coalesce(r.rows_read, 0) else 0 end
            as rows_quarantined,
        coalesce(s.scores_loaded, 0) as scores_loaded,
        q.file_id is not null as is_quarantined,
        q.reason as quarantine_reason,
        {{ rebuilt_at() }} as rebuilt_at
    from manifest as m
    left join records as r
        on m.file_id = r.file_id
    left join errors as e
        on m.file_id = e.file_id
    left join scores as s
        on m.file_id = s.file_id
    left join file_layouts as l
        on m.file_id = l.file_id
    left join quarantine as q
        on m.file_id = q.file_id

)

select * from final
