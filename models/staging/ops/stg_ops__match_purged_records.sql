with

source as (

    select * from {{ source('ops', 'match_purged_records') }}

),

final as (

    select
        record_id,
        purge_id,
        file_id,
        line_number,
        outcome,
        received_at
    from source

)

select * from final
