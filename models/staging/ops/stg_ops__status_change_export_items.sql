with

source as (

    select * from {{ source('ops', 'status_change_export_items') }}

),

final as (

    select
        export_id,
        status_change_id
    from source

)

select * from final
