with

source as (

    select * from {{ source('raw', 'run_log') }}

),

final as (

    select
        run_id,
        verb,
        started_at,
        ended_at,
        status,
        message
    from source

)

select * from final
