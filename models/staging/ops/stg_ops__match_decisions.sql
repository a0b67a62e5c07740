with

source as (

    select * from {{ source('ops', 'match_decisions') }}

),

final as (

    select
        decision_id,
        decision,
        record_id,
        person_id,
        other_person_id,
        reason,
        decided_by,
        decided_at,
        source as recorded_from
    from source

)

select * from final
