-- The purpose marks as they stand now, for every person's current admission
-- test indicator (int_evaluation__current_indicators, TIUG and TIGR): the
-- letter's test (evaluation_test_letters) and the best score of its headline
-- component (int_evaluation__ranked_scores: official scores only unless the
-- letter takes unofficial ones) is marked as used for admission. A letter
-- that cannot be marked is kept with its reason. Grain: person, indicator.
with

indicators as (

    select * from {{ ref('int_evaluation__current_indicators') }}

),

letters as (

    select * from {{ ref('evaluation_test_letters') }}

),

ranked as (

    select * from {{ ref('int_evaluation__ranked_scores') }}

),

formats_tests as (

    select distinct target_value as test_code
    from {{ ref('xwalk_admissions__tests') }}

),

person_tests as (

    select distinct
        person_id,
        test_code
    from ranked

),

marked as (

    select
        i.person_id,
        i.indicator,
        i.test_letter,
        l.test_code,
        l.headline_component as component,
        l.is_official_only,
        r.score_id,
        r.score,
        r.test_date,
        r.file_name,
        r.line_number,
        i.file_id as indicator_file_id,
        i.line_number as indicator_line_number,
        case
            when l.test_letter is null then 'unknown test letter (not in evaluation_test_letters)'
            when r.score_id is not null then null
            when f.test_code is null then 'no file format carries this test yet'
            when pt.person_id is null then 'no score of this test for this person'
            when l.is_official_only then 'no official ' || l.headline_component || ' score of this test for this person'
            else 'no ' || l.headline_component || ' score of this test for this person'
        end as unmarkable_reason
    from indicators as i
    left join letters as l
        on i.test_letter = l.test_letter
    left join ranked as r
        on
            i.person_id = r.person_id
            and l.test_code = r.test_code
            and l.headline_component = r.component
            and (case when l.is_official_only then r.official_rank else r.any_rank end) = 1
    left join formats_tests as f
        on l.test_code = f.test_code
    left join person_tests as pt
        on
            i.person_id = pt.person_id
            and l.test_code = pt.test_code

),

final as (

    select
        person_id,
        indicator,
        test_letter,
        test_code,
        component,
        is_official_only,
        unmarkable_reason is null as is_marked,
        score_id,
        score,
        test_date,
        file_name,
        line_number,
        indicator_file_id,
        indicator_line_number,
        unmarkable_reason
    from marked

)

select * from final
