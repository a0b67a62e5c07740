with

scores as (

    select * from {{ ref('int_admissions__scores') }}
    where not has_error

),

ranked as (

    select
        *,
        row_number() over (
            partition by test_code, vendor_person_id, component_code
            order by test_date desc nulls last, file_id desc, line_number desc
        ) as recency
    from scores

),

latest as (

    select * from ranked
    where recency = 1

),

summary as (

    select
        test_code,
        vendor_person_id,
        component_code,
        max(score) as best_score,
        min(test_date) as first_test_date,
        count(*) as scores_received,
        max(case when is_official then 1 else 0 end) = 1 as has_official_score
    from scores
    group by test_code, vendor_person_id, component_code

),

final as (

    select
        md5(
            l.test_code || '|' || coalesce(l.vendor_person_id, '') || '|' || l.component_code
        ) as person_test_component_id,
        l.test_code,
        l.test_name,
        l.vendor_person_id,
        l.first_name,
        l.middle_name,
        l.last_name,
        l.birth_date,
        l.gender_code,
        l.email,
        l.component_code,
        l.component,
        s.best_score,
        l.score as latest_score,
        l.test_date as latest_test_date,
        s.first_test_date,
        s.scores_received,
        s.has_official_score
    from latest as l
    inner join summary as s
        on
            l.test_code = s.test_code
            and l.vendor_person_id = s.vendor_person_id
            and l.component_code = s.component_code

)

select * from final
