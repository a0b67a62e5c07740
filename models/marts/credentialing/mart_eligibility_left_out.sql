-- Applications that are Pending now (mart_application_status, result
-- decisions included) but cannot go in an eligibility file, one row per
-- reason: the vendor needs a known person with a last and first name, the
-- exam and the eligibility window, and a window that has ended is of no use.
-- mart_eligibility_candidates is every other Pending application, so nothing
-- Pending is skipped without a reason.

with pending as (

    select application_id
    from {{ ref('mart_application_status') }}
    where current_status = 'Pending'

),

applications as (

    select * from {{ ref('int_credentialing__applications') }}

),

persons as (

    select * from {{ ref('stg_credentialing__persons') }}

),

files as (

    select
        file_id,
        file_name
    from {{ ref('stg_raw__file_manifest') }}

),

checked as (

    select
        applications.application_id,
        applications.person_id,
        applications.exam_code,
        applications.submitted_at,
        applications.eligibility_start,
        applications.eligibility_end,
        applications.file_id,
        applications.line_number,
        persons.person_id as known_person_id,
        persons.last_name,
        persons.first_name,
        {{ credentialing_as_of_date() }} as as_of_date
    from pending
    inner join applications
        on pending.application_id = applications.application_id
    left join persons
        on applications.person_id = persons.person_id

),

problems as (

    select
        application_id,
        'unknown_person' as reason,
        'Person ' || coalesce(person_id, '(empty)')
        || ' is not in the persons file: send the person''s record, then build again.'
            as explanation
    from checked
    where known_person_id is null

    union all

    select
        application_id,
        'missing_name' as reason,
        'Person ' || person_id || ' has no '
        || case
            when last_name is null and first_name is null then 'last or first name'
            when last_name is null then 'last name'
            else 'first name'
        end
        || ' in the persons file: the vendor needs both.' as explanation
    from checked
    where
        known_person_id is not null
        and (last_name is null or first_name is null)

    union all

    select
        application_id,
        'missing_exam' as reason,
        'The application names no exam.' as explanation
    from checked
    where exam_code is null

    union all

    select
        application_id,
        'bad_eligibility_window' as reason,
        case
            when eligibility_start is null or eligibility_end is null
                then 'The eligibility start or end is missing or not a real day.'
            else
                'The eligibility window starts on '
                || cast(eligibility_start as {{ dbt.type_string() }})
                || ', after it ends on '
                || cast(eligibility_end as {{ dbt.type_string() }}) || '.'
        end as explanation
    from checked
    where
        eligibility_start is null
        or eligibility_end is null
        or eligibility_start > eligibility_end

    union all

    select
        application_id,
        'window_ended' as reason,
        'The eligibility window ended on '
        || cast(eligibility_end as {{ dbt.type_string() }}) || ', before '
        || cast(as_of_date as {{ dbt.type_string() }}) || '.' as explanation
    from checked
    where eligibility_end < as_of_date

    union all

    select
        application_id,
        'bad_submission_date' as reason,
        'The submission date is missing or not a real day, so no --from/--to range holds it.'
            as explanation
    from checked
    where submitted_at is null

),

final as (

    select
        problems.application_id,
        problems.reason,
        problems.explanation,
        checked.person_id,
        checked.exam_code,
        checked.submitted_at,
        checked.eligibility_end,
        checked.file_id,
        files.file_name,
        checked.line_number
    from problems
    inner join checked
        on problems.application_id = checked.application_id
    left join files
        on checked.file_id = files.file_id

)

select * from final
