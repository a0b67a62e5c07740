with

source as (

    select * from {{ source('ops', 'placement_applied') }}

),

final as (

    select
        file_id,
        line_number,
        applied_at
    from source

)

select * from final
