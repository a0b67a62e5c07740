with

source as (

    select * from {{ source('raw', 'file_manifest') }}

),

final as (

    select
        file_id,
        run_id,
        source as source_name,
        format as format_name,
        original_name as file_name,
        remote_folder,
        archive_path,
        sha256,
        size_bytes,
        received_at,
        status,
        duplicate_of as duplicate_of_file_id,
        encoding,
        has_bom,
        line_ending,
        rows_landed,
        load_id,
        landed_at,
        quarantine_reason,
        backed_up_at,
        removed_at as removed_from_server_at,
        duplicate_of is not null as is_duplicate,
        decrypted_path is not null as is_decrypted
    from source

)

select * from final
