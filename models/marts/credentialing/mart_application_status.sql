-- The newest event wins: a decision from a result landed after the
-- organisation's latest version of the application, or else that version.

with applications as (

    select * from {{ ref('int_credentialing__applications') }}

),

decisions as (

    select * from {{ ref('fct_application_status_history') }}

)

select
    applications.application_id,
    applications.person_id,
    applications.exam_code,
    applications.submitted_at,
    applications.status as recorded_status,
    case
        when decisions.file_id > applications.file_id then decisions.to_status
        else applications.status
    end as current_status,
    case
        when decisions.file_id > applications.file_id then 'result'
        else 'organisation'
    end as status_source,
    case
        when decisions.file_id > applications.file_id then decisions.changed_at
    end as status_changed_at,
    case
        when decisions.file_id > applications.file_id then decisions.status_change_id
    end as status_change_id
from applications
left join decisions
    on applications.application_id = decisions.application_id
