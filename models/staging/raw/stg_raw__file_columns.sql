with

source as (

    select * from {{ source('raw', 'file_columns') }}

),

final as (

    select
        file_id,
        ordinal,
        header_name,
        column_name
    from source

)

select * from final
