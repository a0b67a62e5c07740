-- Admissions files whose layout drifted, quarantined as a whole: none of
-- their rows reach int_admissions__scores. One row per file and rule.
with

manifest as (

    select * from {{ ref('stg_raw__file_manifest') }}
    where
        status = 'landed'
        and format_name in ({{ "'" ~ (admissions_formats().keys() | join("', '")) ~ "'" }})

),

formats as (

    select * from {{ ref('scorebridge_formats') }}

),

layout as (

    select c.*
    from {{ ref('layout_columns') }} as c
    where c.layout_version = (
        select max(v.layout_version)
        from {{ ref('layout_columns') }} as v
        where v.format_name = c.format_name
    )

),

fields as (

    select * from {{ ref('layout_fields') }}

),

-- A CSV must carry the layout's required columns and every column the score
-- table reads (person id, test dates, scores, exam codes).
expected_columns as (

    select
        l.format_name,
        l.ordinal,
        l.column_name
    from layout as l
    where
        l.is_required
        or exists (
            select 1
            from fields as f
            where
                f.format_name = l.format_name
                and f.layout_version = l.layout_version
                and (
                    (
                        f.column_name = l.column_name
                        and f.field_role in ('vendor_person_id', 'test_date', 'score')
                    )
                    or f.component_column = l.column_name
                )
        )

),

headers as (

    select * from {{ ref('stg_raw__file_columns') }}

),

records as (

    select * from {{ ref('int_admissions__records') }}

),

checks as (

    select * from {{ ref('int_admissions__field_checks') }}
    where data_type in ('date', 'integer', 'numeric')

),

missing_columns as (

    select
        m.file_id,
        'missing_columns' as rule,  -- noqa: RF04
        'CSV header lacks layout columns: '
        || {{ admissions_listagg('e.column_name', "', '", 'order by e.ordinal') }} as reason
    from manifest as m
    inner join formats as f
        on m.format_name = f.format_name
    inner join expected_columns as e
        on m.format_name = e.format_name
    left join headers as h
        on
            m.file_id = h.file_id
            and e.column_name = h.header_name
    where
        f.kind = 'csv'
        and h.file_id is null
    group by m.file_id

),

record_lengths as (

    select
        r.file_id,
        f.record_length as expected_length,
        count(*) as records,
        sum(case when r.record_length <> f.record_length then 1 else 0 end) as wrong_records,
        min(case when r.record_length <> f.record_length then r.line_number end) as first_wrong_line
    from records as r
    inner join formats as f
        on r.format_name = f.format_name
    where
        f.kind = 'fixed'
        and r.record_length > 0
    group by r.file_id, f.record_length

),

wrong_length as (

    select
        file_id,
        'record_length' as rule,  -- noqa: RF04
        cast(wrong_records as text) || ' of ' || cast(records as text)
        || ' records are not ' || cast(expected_length as text)
        || ' characters long (first: line ' || cast(first_wrong_line as text) || ')' as reason
    from record_lengths
    where wrong_records > 0

),

parse_share as (

    select
        file_id,
        count(*) as checked_values,
        sum(
            case when rule in ('not_a_date', 'not_an_integer', 'not_a_number') then 1 else 0 end
        ) as unparsed_values
    from checks
    group by file_id

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
