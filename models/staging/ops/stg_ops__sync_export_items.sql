with

source as (

    select * from {{ source('ops', 'sync_export_items') }}

),

files as (

    select * from {{ source('ops', 'sync_export_files') }}

),

final as (

    select
        source.file_id as sync_export_file_id,
        files.side,
        files.file_name,
        files.created_at as sent_at,
        source.change_kind,
        source.entity,
        source.record_id,
        source.field_name,
        source.value_hash
    from source
    inner join files
        on source.file_id = files.file_id

)

select * from final
