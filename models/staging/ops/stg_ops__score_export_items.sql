with

source as (

    select * from {{ source('ops', 'score_export_items') }}

),

files as (

    select * from {{ source('ops', 'score_export_files') }}

),

final as (

    select
        source.file_id as score_export_file_id,
        files.file_name,
        files.created_at as sent_at,
        source.score_id,
        source.person_id,
        source.content_hash,
        source.change_kind
    from source
    inner join files
        on source.file_id = files.file_id

)

select * from final
