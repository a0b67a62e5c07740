with

source as (

    select * from {{ source('ops', 'score_request_history') }}

),

final as (

    select
        file_id as request_file_id,
        person_id,
        entry_term,
        item_code,
        requested_on
    from source

)

select * from final
