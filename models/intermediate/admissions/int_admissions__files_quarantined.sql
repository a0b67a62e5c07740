{{ config(materialized="table", indexes=[{"columns": ["file_id"]}]) }}

-- Admissions files whose layout drifted, quarantined as a whole: none of
-- their rows reach int_admissions__scores. One row per file and rule.
with

manifest as (

    select * from {{ ref('stg_raw__file_manifest') }}
    where
        status = 'landed'
        and format_name in ({{ admissions_format_list() }})

),

-- The layout version each file is read with, the signature columns of that
-- version its header lacks (CSV) and its record length (fixed width).
file_layouts as (

    select * from {{ ref('int_admissions__file_layouts_chosen') }}

),

-- Each file's counts (lines, wrong-length records, unparsed values).
file_checks as (

    select * from {{ ref('int_admissions__file_checks') }}

),

missing_columns as (

    select
        file_id,
        'missing_columns' as rule,  -- noqa: RF04
        'CSV header matches no layout version of ' || format_name || '; it lacks columns of '
        || 'version ' || layout_version || ': ' || missing_columns as reason
    from file_layouts
    where missing_columns is not null

),

record_lengths as (

    select
        c.file_id,
        l.layout_version,
        l.expected_record_length,
        l.record_length as usual_record_length,
        c.length_checked_records as records,
        c.wrong_length_records as wrong_records,
        c.first_wrong_length_line as first_wrong_line
    from file_checks as c
    inner join file_layouts as l
        on c.file_id = l.file_id
    where l.expected_record_length is not null

),

-- Drift is a share, not one record: a few wrong-length records (at most
-- admissions_max_unparsed_share of the file) are error rows and the rest
-- lands; more than that, or a file whose most common record length is not
-- the layout's, is quarantined whole.
wrong_length as (

    select
        file_id,
        'record_length' as rule,  -- noqa: RF04
        cast(wrong_records as text) || ' of ' || cast(records as text)
        || ' records are not ' || cast(expected_record_length as text)
        || ' characters long (layout version ' || layout_version
        || '; first: line ' || cast(first_wrong_line as text) || '): '
        || case
            when usual_record_length <> expected_record_length
                then 'the usual record length is ' || cast(usual_record_length as text)
            else
                'more than ' || cast(100 * {{ var('admissions_max_unparsed_share') }} as text)
                || '% of the records'
        end as reason
    from record_lengths
    where
        wrong_records > 0
        and (
            usual_record_length <> expected_record_length
            or wrong_records > {{ var('admissions_max_unparsed_share') }} * records
        )

),

parse_share as (

    select
        file_id,
        checked_values,
        unparsed_values
    from file_checks
    where checked_values > 0

),

unparseable as (

    select
        file_id,
        'unparseable_values' as rule,  -- noqa: RF04
        cast(unparsed_values as text) || ' of ' || cast(checked_values as text)
        || ' dates and scores do not parse (more than '
        || cast(100 * {{ var('admissions_max_unparsed_share') }} as text) || '%)' as reason
    from parse_share
    where unparsed_values > {{ var('admissions_max_unparsed_share') }} * checked_values

),

reasons as (

    select * from missing_columns
    union all
    select * from wrong_length
    union all
    select * from unparseable

),

final as (

    select
        m.file_id,
        m.source_name,
        m.format_name,
        m.file_name,
        coalesce(m.landed_at, m.received_at) as detected_at,
        r.rule,
        r.reason
    from reasons as r
    inner join manifest as m
        on r.file_id = m.file_id

)

select * from final
