with

source as (

    select * from {{ source('ops', 'problem_handling') }}

),

final as (

    select
        problem_id,
        problem_kind,
        note,
        chosen_result_id,
        handled_by,
        handled_at,
        recorded_from
    from source

)

select * from final
