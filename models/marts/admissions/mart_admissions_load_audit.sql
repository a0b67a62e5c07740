with

manifest as (

    select * from {{ ref('stg_raw__file_manifest') }}
    where
        format_name in ({{ admissions_format_list() }})
        and status <> 'refused'

),

records as (

    select
        file_id,
        count(*) as rows_read,
        sum(case when parse_error is null then 1 else 0 end) as rows_parsed
    from {{ ref('int_admissions__records') }}
    group by file_id

),

errors as (

    select
        file_id,
        count(distinct line_number) as rows_flagged,
        count(*) as errors
    from {{ ref('mart_score_errors') }}
    group by file_id

),

scores as (

    select
        file_id,
        count(*) as scores_loaded
    from {{ ref('int_admissions__scores') }}
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
        q.reason as quarantine_reason
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
