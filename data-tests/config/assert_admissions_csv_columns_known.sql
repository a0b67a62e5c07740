-- What: header columns of landed admissions CSV files that the current
-- layout (seeds/layouts/layout_columns.csv) does not name.
-- When it matters: a vendor added or renamed a column; its values land in
-- raw but no staging model reads them. A warning, not a quarantine.
-- How to resolve: if the vendor published a new layout, add it as a new
-- layout_version in the layout seed (and layout_fields for score columns).
with

headers as (

    select * from {{ ref('stg_raw__file_columns') }}

),

manifest as (

    select * from {{ ref('stg_raw__file_manifest') }}

),

layout as (

    select * from {{ ref('layout_columns') }}

)

select
    m.file_id,
    m.format_name,
    m.file_name,
    h.header_name
from headers as h
inner join manifest as m
    on h.file_id = m.file_id
where
    m.format_name in ({{ "'" ~ (admissions_formats().keys() | join("', '")) ~ "'" }})
    and not exists (
        select 1
        from layout as l
        where
            l.format_name = m.format_name
            and l.column_name = h.header_name
    )
