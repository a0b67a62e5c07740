-- Every status an application went through, oldest first, each with where it
-- came from. Append-only by rule: a later event never erases an earlier one.
-- The events, in the order they reached us (the file's landing, a person's
-- decision), per application:
-- - organisation: each version of the application the organisation sent. Its
--   first status opens the history; a later version that changes the status
--   is honoured (Withdrawn, or a Passed/Failed/No-show that differs from
--   ours), except Pending once a result has decided it: the organisation's
--   system learns of a result only from our status-change file, so its next
--   extract still says Pending (a stale extract never reverts a decision).
-- - result: the first result for the application (no other result for it in
--   an earlier or the same file) decides it when the application was Pending
--   as the result arrived and the result has no anomaly other than the two a
--   later delivery brings (conflicting_results, organisation_disagrees). It
--   counts once the application is known (an application sent after its
--   result is decided when it arrives).
-- - resolution: a person chose the result that stands for a
--   conflicting_results anomaly (ops.problem_handling, the latest choice per
--   application): that result's outcome, a correction when it differs.
-- An event that repeats the status before it is no change and has no row.
-- Incremental, delete+insert by application_id: a build rewrites the whole
-- history of the applications it may change: those of the results whose match
-- int_credentialing__result_matches rewrote since this table's newest row
-- (their application now and before), those with a version landed since, and
-- those with a problem handled since. Each application has at least its
-- opening row, so the delete replaces every row it had.

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='application_id',
    on_schema_change='fail',
    post_hook='{{ refresh_statistics() }}',
    indexes=[
        {'columns': ['application_id']},
        {'columns': ['result_id']},
        {'columns': ['rebuilt_at']},
    ],
) }}

with

{% if is_incremental() %}

    watermarks as (

        select
            max(applications_loaded_at) as applications_seen,
            max(problems_handled_at) as problems_seen
        from {{ this }}

    ),

    rematched as (

        {{ credentialing_rematched_results() }}

    ),

    touched as (

        select m.application_id
        from {{ ref('int_credentialing__result_matches') }} as m
        where m.result_id in (select r.result_id from rematched as r)
        union
        select t.application_id
        from {{ this }} as t
        where t.result_id in (select r.result_id from rematched as r)
        union
        select v.application_id
        from {{ ref('stg_credentialing__applications') }} as v
        cross join watermarks as w
        where w.applications_seen is null or v.loaded_at > w.applications_seen
        union
        select m.application_id
        from {{ ref('stg_ops__problem_handling') }} as h
        inner join {{ ref('int_credentialing__result_anomalies') }} as a
            on h.problem_id = a.anomaly_id
        inner join {{ ref('int_credentialing__result_matches') }} as m
            on a.result_id = m.result_id
        cross join watermarks as w
        where w.problems_seen is null or h.handled_at > w.problems_seen

    ),

{% endif %}

files as (

    select
        file_id,
        coalesce(landed_at, received_at) as landed_at
    from {{ ref('stg_raw__file_manifest') }}

),

versions as (

    select
        v.*,
        files.landed_at
    from {{ ref('stg_credentialing__applications') }} as v
    inner join files
        on v.file_id = files.file_id
    where
        v.application_id is not null
        {% if is_incremental() %}
            and v.application_id in (select t.application_id from touched as t)
        {% endif %}

),

first_seen as (

    select
        application_id,
        min(landed_at) as landed_at
    from versions
    group by application_id

),

matched as (

    select
        results.*,
        matches.application_id,
        matches.application_person_id,
        matches.application_exam_code,
        matches.application_status,
        matches.match_rule,
        count(*) over (
            partition by matches.application_id order by results.file_id
        ) as results_so_far
    from {{ ref('int_credentialing__result_matches') }} as matches
    inner join {{ ref('int_credentialing__results') }} as results
        on matches.result_id = results.result_id
    where
        matches.application_id is not null
        {% if is_incremental() %}
            and matches.application_id in (select t.application_id from touched as t)
        {% endif %}

),

anomalies as (

    select * from {{ ref('int_credentialing__result_anomalies') }}

),

deciding as (

    select matched.*
    from matched
    where
        matched.application_status = 'Pending'
        and matched.results_so_far = 1
        -- not exists, not `not in`: PostgreSQL runs a `not in` whose list
        -- outgrows work_mem once per row, which a large history makes quadratic
        and not exists (
            select 1 from anomalies
            where
                anomalies.result_id = matched.result_id
                and anomalies.anomaly_type not in ('conflicting_results', 'organisation_disagrees')
        )

),

choices as (

    select
        handling.problem_id,
        handling.chosen_result_id,
        handling.handled_by,
        handling.handled_at,
        anomalies.application_id,
        row_number() over (
            partition by anomalies.application_id
            order by handling.handled_at desc, handling.problem_id desc
        ) as choice_rank
    from {{ ref('stg_ops__problem_handling') }} as handling
    inner join anomalies
        on handling.problem_id = anomalies.anomaly_id
    where
        anomalies.anomaly_type = 'conflicting_results'
        and handling.chosen_result_id is not null

),

events as (

    select
        versions.application_id,
        versions.person_id,
        versions.exam_code,
        versions.status,
        'organisation' as status_source,
        1 as source_rank,
        versions.landed_at as recorded_at,
        cast(versions.landed_at as date) as changed_at,
        cast(null as date) as test_date,
        cast(null as {{ dbt.type_string() }}) as result_id,
        cast(null as {{ dbt.type_string() }}) as problem_id,
        versions.file_id,
        versions.line_number,
        'the organisation''s file ' || cast(versions.file_id as {{ dbt.type_string() }})
        || ' line ' || cast(versions.line_number as {{ dbt.type_string() }})
        || ' says ' || coalesce(versions.status, '(unknown status)') as rule  -- noqa: RF04
    from versions

    union all

    select
        deciding.application_id,
        deciding.application_person_id as person_id,
        deciding.application_exam_code as exam_code,
        deciding.outcome as status,
        'result' as status_source,
        2 as source_rank,
        case
            when files.landed_at < first_seen.landed_at then first_seen.landed_at
            else files.landed_at
        end as recorded_at,
        coalesce(deciding.result_date, deciding.test_date) as changed_at,
        deciding.test_date,
        deciding.result_id,
        cast(null as {{ dbt.type_string() }}) as problem_id,
        deciding.file_id,
        deciding.line_number,
        'result ' || deciding.result_code || ' of ' || cast(deciding.test_date as {{ dbt.type_string() }})
        || ' matched by ' || deciding.match_rule || ' to a Pending application' as rule  -- noqa: RF04
    from deciding
    inner join files
        on deciding.file_id = files.file_id
    inner join first_seen
        on deciding.application_id = first_seen.application_id

    union all

    select
        chosen.application_id,
        chosen.application_person_id as person_id,
        chosen.application_exam_code as exam_code,
        chosen.outcome as status,
        'resolution' as status_source,
        3 as source_rank,
        choices.handled_at as recorded_at,
        cast(choices.handled_at as date) as changed_at,
        chosen.test_date,
        chosen.result_id,
        choices.problem_id,
        chosen.file_id,
        chosen.line_number,
        'result ' || chosen.result_code || ' of ' || cast(chosen.test_date as {{ dbt.type_string() }})
        || ' chosen by ' || choices.handled_by
        || ' among conflicting results' as rule  -- noqa: RF04
    from choices
    inner join matched as chosen
        on
            choices.chosen_result_id = chosen.result_id
            and choices.application_id = chosen.application_id
    where choices.choice_rank = 1

),

sequenced as (

    select
        *,
        row_number() over (
            partition by application_id
            order by recorded_at, source_rank, file_id, line_number
        ) as event_number
    from events

),

-- What each event would make the status: null when it changes nothing (an
-- organisation Pending after a result, an unknown status).
effective as (

    select
        *,
        case
            when status_source <> 'organisation' then status
            when
                status = 'Pending'
                and max(case when status_source <> 'organisation' then 1 else 0 end) over (
                    partition by application_id order by event_number
                    rows between unbounded preceding and current row
                ) = 1
                then null
            else status
        end as new_status
    from sequenced

),

-- The status after each event: the newest non-null new_status so far (each
-- non-null one opens a group, the group carries it).
grouped as (

    select
        *,
        count(new_status) over (
            partition by application_id order by event_number
            rows between unbounded preceding and current row
        ) as status_group
    from effective

),

stated as (

    select
        *,
        max(new_status) over (partition by application_id, status_group) as status_after
    from grouped

),

changes as (

    select
        *,
        lag(status_after) over (
            partition by application_id order by event_number
        ) as status_before
    from stated

)

select
    case status_source
        -- the id a result's decision has always had, so what was exported stays known
        when 'result' then md5(application_id || '|' || result_id)
        when 'resolution' then md5(application_id || '|' || result_id || '|' || problem_id)
        else md5(
            application_id || '|organisation|' || cast(file_id as {{ dbt.type_string() }})
            || '|' || cast(line_number as {{ dbt.type_string() }})
        )
    end as status_change_id,
    application_id,
    -- the event's place among all the application's events, changes or not
    event_number,
    person_id,
    exam_code,
    status_before as from_status,
    new_status as to_status,
    changed_at,
    recorded_at,
    test_date,
    status_source,
    result_id,
    problem_id,
    file_id,
    line_number,
    rule,
    (select max(v.loaded_at) from {{ ref('stg_credentialing__applications') }} as v) as applications_loaded_at,
    (select max(h.handled_at) from {{ ref('stg_ops__problem_handling') }} as h) as problems_handled_at,
    {{ rebuilt_at() }} as rebuilt_at
from changes
where
    new_status is not null
    and (status_before is null or new_status <> status_before)
