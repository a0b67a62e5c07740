with

source as (

    select * from {{ source('ops', 'match_weights') }}

),

newest as (

    select max(estimate_id) as estimate_id from source

),

final as (

    select
        s.estimate_id,
        s.comparison,
        s.level,
        s.m_probability,
        s.u_probability,
        s.estimated_at,
        s.estimated_by
    from source as s
    inner join newest as n
        on s.estimate_id = n.estimate_id

)

select * from final
