with

source as (

    select * from {{ source('ops', 'print_export_items') }}

),

final as (

    select
        export_id,
        print_kind,
        application_id
    from source

)

select * from final
