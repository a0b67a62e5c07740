-- Which components each program needs, in which order: the legacy links
-- without an error, then the temporary additions of the operator's seed.

with

links as (

    select * from {{ ref('stg_legacy_cert__program_components') }}
    where program_code is not null and component_code is not null

),

errors as (

    select
        file_id,
        line_number
    from {{ ref('int_certification__problems') }}
    where severity = 'error' and source_format = 'legacy_cert_program_components'

),

kept_links as (

    select
        l.program_code,
        l.component_code,
        l.is_required,
        l.sequence_number,
        false as is_temporary
    from links as l
    left join errors as e
        on l.file_id = e.file_id and l.line_number = e.line_number
    where e.file_id is null

),

programs as (

    select program_code from {{ ref('mart_cert_programs') }}

),

components as (

    select component_code from {{ ref('mart_cert_components') }}

),

last_sequence as (

    select
        program_code,
        max(sequence_number) as sequence_number
    from kept_links
    group by program_code

),

temporary_additions as (

    -- After the program's own components, in code order; never required.
    select
        t.program_code,
        t.component_code,
        false as is_required,
        coalesce(s.sequence_number, 0) + row_number() over (
            partition by t.program_code order by t.component_code
        ) as sequence_number,
        true as is_temporary
    from {{ ref('cert_temporary_program_components') }} as t
    inner join programs as p on t.program_code = p.program_code
    inner join components as c on t.component_code = c.component_code
    left join kept_links as k
        on t.program_code = k.program_code and t.component_code = k.component_code
    left join last_sequence as s on t.program_code = s.program_code
    where k.program_code is null

),

final as (

    select
        program_code,
        component_code,
        is_required,
        cast(sequence_number as {{ dbt.type_int() }}) as sequence_number,
        is_temporary
    from kept_links
    union all
    select
        program_code,
        component_code,
        is_required,
        cast(sequence_number as {{ dbt.type_int() }}) as sequence_number,
        is_temporary
    from temporary_additions

)

select * from final
