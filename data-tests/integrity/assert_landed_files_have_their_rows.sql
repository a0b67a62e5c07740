-- What: every landed file has exactly as many raw rows as its manifest says.
-- When it matters: a mismatch means rows were lost or landed twice; custody
--   promises each line exactly once.
-- How to resolve: rerun `python cli.py fetch` (an interrupted landing is
--   replaced); if it persists, compare the archived file with its raw rows.
{{ config(severity='warn', store_failures=true) }}

with

landed as (

    select
        file_id,
        format_name,
        rows_landed
    from {{ ref('stg_raw__file_manifest') }}
    where status = 'landed' and format_name = 'prometric_results'

),

counted as (

    select
        _file_id as file_id,
        count(*) as raw_rows
    from {{ source('raw', 'prometric_results') }}
    group by _file_id

)

select
    landed.file_id,
    landed.rows_landed,
    coalesce(counted.raw_rows, 0) as raw_rows
from landed
left join counted on landed.file_id = counted.file_id
where landed.rows_landed <> coalesce(counted.raw_rows, 0)
