-- Each result with the application it belongs to, or none.
-- Rule 1: EligibilityID names the application.
-- Rule 2: where EligibilityID is missing or names no known application, the
-- one Pending application of the candidate (CandidateID = person_id) for the
-- exam; none or several Pending ones means no match.
-- The application is taken as it stood when the result arrived: its newest
-- version landed before the result's file, or, for an application that arrived
-- after its result, its first version.

-- Incremental (merge on result_id): a build re-matches only the results it
-- may change: results landed (or delivered again) since the last build, and
-- results that a new application version may concern (its id is their
-- EligibilityID, its person and exam are theirs, it was their match, or its
-- exam was unknown before). Results matched to the same applications as
-- those are rewritten too, for their results_for_application count.

{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key='result_id',
    on_schema_change='fail',
    post_hook='{{ refresh_statistics() }}',
    indexes=[
        {'columns': ['result_id'], 'unique': True},
        {'columns': ['application_id']},
        {'columns': ['rebuilt_at']},
    ],
) }}

with
{% if is_incremental() %}

    watermarks as (

        select
            coalesce(max(results_loaded_at), '-infinity') as results_seen,
            coalesce(max(applications_loaded_at), '-infinity') as applications_seen
        from {{ this }}

    ),

    new_versions as (

        select * from {{ ref('stg_credentialing__applications') }}
        where loaded_at > (select w.applications_seen from watermarks as w)

    ),

    changed_applications as (

        select distinct application_id from new_versions

    ),

    new_exam_codes as (

        select exam_code from new_versions
        except
        select exam_code from {{ ref('stg_credentialing__applications') }}
        where loaded_at <= (select w.applications_seen from watermarks as w)

    ),

    -- The tables by name, not the CTEs above: a CTE used more than once is
    -- materialised in full, and these read a few rows through indexes.
    affected as (

        select result_id from {{ ref('int_credentialing__results') }}
        where last_loaded_at > (select w.results_seen from watermarks as w)
        union
        select result_id from {{ ref('int_credentialing__results') }}
        where eligibility_id in (select c.application_id from changed_applications as c)
        union
        select r.result_id from {{ ref('int_credentialing__results') }} as r
        inner join {{ ref('stg_credentialing__applications') }} as v
            on
                r.candidate_id = v.person_id
                and r.exam_code = v.exam_code
        where v.application_id in (select c.application_id from changed_applications as c)
        union
        select result_id from {{ this }}
        where application_id in (select c.application_id from changed_applications as c)
        union
        select result_id from {{ ref('int_credentialing__results') }}
        where exam_code in (select e.exam_code from new_exam_codes as e)

    ),

    to_match as (

        select * from {{ ref('int_credentialing__results') }}
        where result_id in (select a.result_id from affected as a)

    ),

{% else %}

    to_match as (

        select * from {{ ref('int_credentialing__results') }}

    ),

{% endif %}

candidate_pairs as (

    select
        results.result_id,
        results.file_id as result_file_id,
        'EligibilityID' as match_rule,
        versions.*
    from to_match as results
    inner join {{ ref('stg_credentialing__applications') }} as versions
        on results.eligibility_id = versions.application_id

    union all

    select
        results.result_id,
        results.file_id as result_file_id,
        'CandidateID and ExamCode' as match_rule,
        versions.*
    from to_match as results
    inner join {{ ref('stg_credentialing__applications') }} as versions
        on
            results.candidate_id = versions.person_id
            and results.exam_code = versions.exam_code
    where not exists (
        select 1 from {{ ref('stg_credentialing__applications') }} as known
        where known.application_id = results.eligibility_id
    )

),

as_of as (

    select
        *,
        row_number() over (
            partition by result_id, application_id
            order by
                file_id < result_file_id desc,
                case when file_id < result_file_id then -file_id else file_id end,
                line_number desc
        ) as version_rank
    from candidate_pairs

),

applicable as (

    select
        *,
        count(*) over (partition by result_id) as pending_options
    from as_of
    where
        version_rank = 1
        and (match_rule = 'EligibilityID' or status = 'Pending')

),

matches as (

    select * from applicable
    where pending_options = 1

),

rematched as (

    select
        to_match.result_id,
        matches.application_id,
        matches.match_rule,
        matches.person_id as application_person_id,
        matches.exam_code as application_exam_code,
        matches.status as application_status,
        matches.eligibility_start,
        matches.eligibility_end
    from to_match
    left join matches
        on to_match.result_id = matches.result_id

),

{% if is_incremental() %}

    -- Results not re-matched that share an application with one that was:
    -- kept as they are, rewritten for the new count.
    neighbours as (

        select
            kept.result_id,
            kept.application_id,
            kept.match_rule,
            kept.application_person_id,
            kept.application_exam_code,
            kept.application_status,
            kept.eligibility_start,
            kept.eligibility_end
        from {{ this }} as kept
        where
            kept.application_id in (
                select r.application_id from rematched as r
                union
                select t.application_id from {{ this }} as t
                where t.result_id in (select a.result_id from affected as a)
            )
            and not exists (
                select 1 from affected as a
                where a.result_id = kept.result_id
            )

    ),

    all_rows as (

        select * from rematched
        union all
        select * from neighbours

    )

{% else %}

    all_rows as (

        select * from rematched

    )

{% endif %}

select
    all_rows.*,
    case
        when all_rows.application_id is not null
            then count(*) over (partition by all_rows.application_id)
    end as results_for_application,
    (select max(r.last_loaded_at) from {{ ref('int_credentialing__results') }} as r) as results_loaded_at,
    (select max(v.loaded_at) from {{ ref('stg_credentialing__applications') }} as v) as applications_loaded_at,
    {{ rebuilt_at() }} as rebuilt_at
from all_rows
