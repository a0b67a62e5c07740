with

source as (

    select * from {{ source('ops', 'date_change_items') }}

),

final as (

    select
        file_id as date_change_file_id,
        change_id,
        person_id,
        test_code,
        record_id,
        old_test_date,
        new_test_date
    from source

)

select * from final
