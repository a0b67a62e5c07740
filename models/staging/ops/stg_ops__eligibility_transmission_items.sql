with

source as (

    select * from {{ source('ops', 'eligibility_transmission_items') }}

),

final as (

    select
        transmission_id,
        application_id
    from source

)

select * from final
