with

manifest as (

    select * from {{ ref('stg_raw__file_manifest') }}

),

final as (

    select
        file_id,
        run_id,
        source_name,
        format_name,
        file_name,
        received_at,
        status,
        sha256,
        size_bytes,
        coalesce(rows_landed, 0) as rows_landed,
        is_duplicate,
        duplicate_of_file_id,
        quarantine_reason,
        landed_at,
        removed_from_server_at
    from manifest
    where status <> 'refused'

)

select * from final
