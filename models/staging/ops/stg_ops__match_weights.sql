with

source as (

    select * from {{ source('ops', 'match_weights') }}

),

final as (

    select
        estimate_id,
        comparison,
        level,
        m_probability,
        u_probability,
        estimated_at,
        estimated_by
    from source

)

select * from final
