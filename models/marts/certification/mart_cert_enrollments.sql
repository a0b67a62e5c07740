{{ config(materialized='view') }}

-- The new model's enrollments: every legacy registration without an error
-- (warned ones included); a completion date, grade and credits only when
-- completed.

with

registrations as (

    select * from {{ ref('stg_legacy_cert__registrations') }}
    where seqn is not null

),

errors as (

    select
        file_id,
        line_number
    from {{ ref('int_certification__problems') }}
    where severity = 'error' and source_format = 'legacy_cert_registrations'

),

components as (

    select
        component_code,
        credits
    from {{ ref('mart_cert_components') }}

),

final as (

    select
        r.seqn,
        r.student_id,
        r.program_code,
        r.component_code,
        r.registered_on,
        r.status,
        case when r.status = 'Completed' then r.completed_on end as completed_on,
        case when r.status = 'Completed' then r.grade end as grade,
        cast(
            case when r.status = 'Completed' then coalesce(r.credits, c.credits) end
            as {{ dbt.type_numeric() }}
        ) as credits,
        r.file_id,
        r.line_number
    from registrations as r
    left join errors as e
        on r.file_id = e.file_id and r.line_number = e.line_number
    left join components as c
        on r.component_code = c.component_code
    where e.file_id is null

)

select * from final
