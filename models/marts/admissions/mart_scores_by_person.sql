{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='person_test_component_id',
    on_schema_change='fail',
    post_hook=["{{ refresh_statistics() }}"],
    indexes=[{'columns': ['person_test_component_id'], 'unique': True}, {'columns': ['rebuilt_at']}],
) }}

-- Incremental (delete+insert by person_test_component_id): a build computes
-- again the test components of the persons with a score row that
-- int_admissions__scores wrote since this table's newest row, from all their
-- scores.
with
{% if is_incremental() %}
    changed as (

        select distinct
            test_code,
            vendor_person_id,
            component_code
        from {{ ref('int_admissions__scores') }}
        where {{ admissions_rebuilt_since() }}

    ),
{% endif %}
scores as (

    select s.* from {{ ref('int_admissions__scores') }} as s
    where
        not s.has_error
        and {{ admissions_changed_components('s') }}

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
        s.has_official_score,
        {{ rebuilt_at() }} as rebuilt_at
    from latest as l
    inner join summary as s
        on
            l.test_code = s.test_code
            and l.vendor_person_id = s.vendor_person_id
            and l.component_code = s.component_code

)

select * from final
