-- Every test date the same-date fix changes (int_evaluation__test_dates):
-- the person, test, record, the vendor's date and the new one, and the rule.
-- An administration whose date needs no move (already on its day) is not a
-- change. Grain: one row per change (change_id: the administration and its
-- new date, so a changed rule's new date is a new change).
with

test_dates as (

    select * from {{ ref('int_evaluation__test_dates') }}
    where is_date_changed

),

final as (

    select
        {{ dbt.hash(dbt.concat(['administration_id', "'|'",
                                'cast(fixed_test_date as ' ~ dbt.type_string() ~ ')'])) }}
            as change_id,
        administration_id,
        person_id,
        test_code,
        record_id,
        file_id,
        file_name,
        line_number,
        vendor_person_id,
        test_date as old_test_date,
        fixed_test_date as new_test_date,
        date_rule
    from test_dates

)

select * from final
