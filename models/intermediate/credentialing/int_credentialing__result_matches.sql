-- Each result with the application it belongs to, or none.
-- Rule 1: EligibilityID names the application.
-- Rule 2: where EligibilityID is missing or names no known application, the
-- one Pending application of the candidate (CandidateID = person_id) for the
-- exam; none or several Pending ones means no match.
-- The application is taken as it stood when the result arrived: its newest
-- version landed before the result's file, or, for an application that arrived
-- after its result, its first version.

with results as (

    select * from {{ ref('int_credentialing__results') }}

),

versions as (

    select * from {{ ref('stg_credentialing__applications') }}

),

candidate_pairs as (

    select
        results.result_id,
        results.file_id as result_file_id,
        'EligibilityID' as match_rule,
        versions.*
    from results
    inner join versions
        on results.eligibility_id = versions.application_id

    union all

    select
        results.result_id,
        results.file_id as result_file_id,
        'CandidateID and ExamCode' as match_rule,
        versions.*
    from results
    inner join versions
        on
            results.candidate_id = versions.person_id
            and results.exam_code = versions.exam_code
    where not exists (
        select 1 from versions as known
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

)

select
    results.result_id,
    matches.application_id,
    matches.match_rule,
    matches.person_id as application_person_id,
    matches.exam_code as application_exam_code,
    matches.status as application_status,
    matches.eligibility_start,
    matches.eligibility_end,
    case
        when matches.application_id is not null
            then count(*) over (partition by matches.application_id)
    end as results_for_application
from results
left join matches
    on results.result_id = matches.result_id
