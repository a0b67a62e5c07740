{{ config(materialized="table", indexes=[{"columns": ["file_id"]}]) }}

-- The layout version each admissions file is read with (seeds/layouts/layout_versions.csv):
-- the newest version whose signature the file carries (CSV: every column the
-- version requires or the score table reads is in the header; fixed width: the
-- file's most common record length is the version's), a version whose dates
-- cover the file's received date first. A file that matches no version gets
-- the version covering its received date (else the newest), and is
-- quarantined for what it lacks (int_admissions__files_quarantined).
-- A table: every int_admissions__<entity>_parsed model and the quarantine read
-- it, and it scans the fixed-width staging models for their record lengths.
{%- set fixed_formats = [] %}
{%- for format_name in admissions_formats() if not format_name.endswith('_csv') %}
    {%- do fixed_formats.append(format_name) %}
{%- endfor %}
with

manifest as (

    select * from {{ ref('stg_raw__file_manifest') }}
    where
        format_name in ({{ admissions_format_list() }})
        and status <> 'refused'

),

formats as (

    select * from {{ ref('scorebridge_formats') }}

),

layout as (

    select * from {{ ref('layout_columns') }}

),

fields as (

    select * from {{ ref('layout_fields') }}

),

version_names as (

    select distinct
        format_name,
        layout_version
    from layout

),

-- Every version of layout_columns, with its dates and record length where
-- layout_versions gives them.
versions as (

    select
        c.format_name,
        c.layout_version,
        v.valid_from,
        v.valid_to,
        v.record_length
    from version_names as c
    left join {{ ref('layout_versions') }} as v
        on
            c.format_name = v.format_name
            and c.layout_version = v.layout_version

),

-- A CSV version's signature: its required columns and every column the score
-- table reads (person id, test dates, scores, exam codes).
signature_columns as (

    select
        l.format_name,
        l.layout_version,
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

-- Signature columns of each version that a CSV file's header lacks.
missing_columns as (

    select
        m.file_id,
        s.layout_version,
        count(*) as missing_count,
        {{ admissions_listagg('s.column_name', "', '", 'order by s.ordinal') }} as missing_columns
    from manifest as m
    inner join formats as f
        on m.format_name = f.format_name
    inner join signature_columns as s
        on m.format_name = s.format_name
    left join headers as h
        on
            m.file_id = h.file_id
            and s.column_name = h.header_name
    where
        f.kind = 'csv'
        and h.file_id is null
    group by m.file_id, s.layout_version

),

-- Record lengths of the fixed-width files' non-blank lines.
line_lengths as (
    {%- for format_name in fixed_formats %}
        {%- if not loop.first %}

            union all
        {%- endif %}

        select
            file_id,
            record_length,
            count(*) as records
        from {{ ref(admissions_staging_model(format_name)) }}
        where record_length > 0
        group by file_id, record_length
    {%- endfor %}

),

-- The most common record length of each fixed-width file (the longer on a tie).
record_lengths as (

    select
        file_id,
        record_length
    from (
        select
            file_id,
            record_length,
            row_number() over (
                partition by file_id order by records desc, record_length desc
            ) as length_rank
        from line_lengths
    ) as ranked_lengths
    where length_rank = 1

),

candidates as (

    select
        m.file_id,
        m.format_name,
        m.file_name,
        f.kind,
        v.layout_version,
        v.record_length as expected_record_length,
        r.record_length,
        mc.missing_columns,
        case
            when f.kind = 'csv' then mc.file_id is null
            else coalesce(v.record_length = r.record_length, false)
        end as is_signature_match,
        coalesce(
            cast(m.received_at as date) >= v.valid_from, v.valid_from is null
        ) and coalesce(
            cast(m.received_at as date) <= v.valid_to, v.valid_to is null
        ) as is_in_date_range
    from manifest as m
    inner join formats as f
        on m.format_name = f.format_name
    inner join versions as v
        on m.format_name = v.format_name
    left join missing_columns as mc
        on
            m.file_id = mc.file_id
            and v.layout_version = mc.layout_version
    left join record_lengths as r
        on m.file_id = r.file_id

),

ranked as (

    select
        c.*,
        sum(case when c.is_signature_match then 1 else 0 end)
            over (partition by c.file_id) as versions_matched,
        row_number() over (
            partition by c.file_id
            order by
                case when c.is_signature_match then 0 else 1 end,
                case when c.is_in_date_range then 0 else 1 end,
                c.layout_version desc
        ) as choice
    from candidates as c

),

final as (

    select
        file_id,
        format_name,
        file_name,
        layout_version,
        is_signature_match as is_layout_matched,
        case
            when is_signature_match and kind = 'csv' then 'header'
            when is_signature_match then 'record_length'
            when is_in_date_range then 'received_date'
            else 'newest'
        end as layout_match,
        versions_matched,
        missing_columns,
        record_length,
        expected_record_length
    from ranked
    where choice = 1

)

select * from final
