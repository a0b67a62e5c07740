{{ config(materialized='table') }}

-- A table: mart_test_date_changes, outbound_scores and the tests read it.
-- Every administration of a matched person (one record's test on one day)
-- with the test date after the same-date fix beside the vendor's: where the
-- person has an ACT and a SAT administration on the same day, the ACT date
-- moves to day evaluation_same_date_act_day of its month and the SAT date to
-- day evaluation_same_date_sat_day. What later models use as "the test date
-- after the same-date fix". Grain: one row per record, test and vendor date.
{%- set act_day = var('evaluation_same_date_act_day') | int %}
{%- set sat_day = var('evaluation_same_date_sat_day') | int %}
with

scores as (

    select * from {{ ref('int_evaluation__person_scores') }}
    where test_date is not null

),

administrations as (

    select
        person_id,
        record_id,
        test_code,
        test_date,
        max(format_name) as format_name,
        max(file_id) as file_id,
        max(file_name) as file_name,
        max(line_number) as line_number,
        max(vendor_person_id) as vendor_person_id,
        count(*) as score_count
    from scores
    group by person_id, record_id, test_code, test_date

),

-- The days on which the person sat the other test: an ACT day is a SAT day
-- too when the person has a SAT administration that day, and the other way.
act_days as (

    select distinct
        person_id,
        test_date
    from administrations
    where test_code = 'ACT'

),

sat_days as (

    select distinct
        person_id,
        test_date
    from administrations
    where test_code = 'SAT'

),

paired as (

    select
        a.*,
        case
            when a.test_code = 'ACT' then sat.test_date is not null
            when a.test_code = 'SAT' then act.test_date is not null
            else false
        end as is_same_day
    from administrations as a
    left join sat_days as sat
        on
            a.test_code = 'ACT'
            and a.person_id = sat.person_id
            and a.test_date = sat.test_date
    left join act_days as act
        on
            a.test_code = 'SAT'
            and a.person_id = act.person_id
            and a.test_date = act.test_date

),

fixed as (

    select
        *,
        case
            when is_same_day and test_code = 'ACT'
                then cast({{ dbt.dateadd('day', act_day - 1,
                                         dbt.date_trunc('month', 'test_date')) }} as date)
            when is_same_day and test_code = 'SAT'
                then cast({{ dbt.dateadd('day', sat_day - 1,
                                         dbt.date_trunc('month', 'test_date')) }} as date)
            else test_date
        end as fixed_test_date
    from paired

),

final as (

    select
        {{ dbt.hash(dbt.concat(['record_id', "'|'", 'test_code', "'|'",
                                'cast(test_date as ' ~ dbt.type_string() ~ ')'])) }}
            as administration_id,
        person_id,
        record_id,
        test_code,
        format_name,
        file_id,
        file_name,
        line_number,
        vendor_person_id,
        score_count,
        test_date,
        fixed_test_date,
        is_same_day,
        coalesce(fixed_test_date <> test_date, false) as is_date_changed,
        case
            when is_same_day and fixed_test_date <> test_date
                then 'act_sat_same_day'
        end as date_rule
    from fixed

)

select * from final
