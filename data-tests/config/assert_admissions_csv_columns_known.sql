-- What: header columns of landed admissions CSV files that the layout version
-- the file was read with (int_admissions__file_layouts_chosen, seeds/layouts/layout_columns.csv)
-- does not name.
-- When it matters: a vendor added or renamed a column; its values land in
-- raw but no parsed model (int_admissions__<entity>_parsed) reads them. A
-- warning, not a quarantine.
-- How to resolve: if the vendor published a new layout, add it as a new
-- layout_version in the layout seeds (layout_columns, layout_fields for score
-- columns, layout_versions for the files it applies to).
with

headers as (

    select * from {{ ref('stg_raw__file_columns') }}

),

file_layouts as (

    select * from {{ ref('int_admissions__file_layouts_chosen') }}

),

layout as (

    select * from {{ ref('layout_columns') }}

)

select
    f.file_id,
    f.format_name,
    f.file_name,
    f.layout_version,
    h.header_name
from headers as h
inner join file_layouts as f
    on h.file_id = f.file_id
where
    not exists (
        select 1
        from layout as l
        where
            l.format_name = f.format_name
            and l.layout_version = f.layout_version
            and l.column_name = h.header_name
    )
