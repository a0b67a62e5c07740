-- The new model's components: the legacy components without an error, the
-- legacy fields with no equivalent kept as labelled lines of the description.

with

components as (

    select * from {{ ref('stg_legacy_cert__components') }}
    where component_code is not null

),

errors as (

    select
        file_id,
        line_number
    from {{ ref('int_certification__problems') }}
    where severity = 'error' and source_format = 'legacy_cert_components'

),

final as (

    select
        c.component_code,
        c.title,
        {{ cert_description_with_legacy('c.description', [
            ['Address', 'c.address'],
            ['Prerequisites', 'c.prerequisites'],
            ['Instructors', 'c.instructors'],
        ]) }} as description,
        c.credits,
        false as requires_approval,
        -- A component completes only with a grade, so nothing is marked
        -- complete merely by being migrated.
        true as requires_grade,
        c.file_id,
        c.line_number
    from components as c
    left join errors as e
        on c.file_id = e.file_id and c.line_number = e.line_number
    where e.file_id is null

)

select * from final
