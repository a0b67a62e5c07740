with checks as (

    select * from {{ ref('stg_placement__checks') }}

),

files as (

    select * from {{ ref('stg_raw__file_manifest') }}

)

select
    md5(
        checks.file_id || '|' || checks.line_number || '|'
        || coalesce(checks.field, '') || '|' || checks.reason
    ) as error_id,
    checks.file_id,
    files.file_name,
    checks.line_number,
    checks.field,
    checks.field_value,
    checks.reason
from checks
left join files
    on checks.file_id = files.file_id
