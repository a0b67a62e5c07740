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
        vendor_person_id,
        old_test_date,
        new_test_date,
        date_rule
    from source

)

select * from final
