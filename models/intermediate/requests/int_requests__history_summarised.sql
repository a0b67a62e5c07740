-- What export requests has asked so far, per person, entry term and item:
-- first and last request day. A view over the ops record, so the outbound
-- model sees a request the moment it is recorded.

with history as (

    select * from {{ ref('stg_ops__score_request_history') }}

),

final as (

    select
        person_id,
        entry_term,
        item_code,
        min(requested_on) as first_requested_on,
        max(requested_on) as last_requested_on
    from history
    group by person_id, entry_term, item_code

)

select * from final
