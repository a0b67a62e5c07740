-- The new model's programs: the legacy programs without an error, the legacy
-- fields with no equivalent kept as labelled lines of the description.

with

programs as (

    select * from {{ ref('stg_legacy_cert__programs') }}
    where program_code is not null

),

errors as (

    select
        file_id,
        line_number
    from {{ ref('int_certification__problems') }}
    where severity = 'error' and source_format = 'legacy_cert_programs'

),

final as (

    select
        p.program_code,
        p.title,
        {{ cert_description_with_legacy('p.description', [
            ['Established', 'p.established'],
            ['Industry Code', 'p.industry_code'],
            ['UF_1', 'p.uf_1'],
            ['UF_2', 'p.uf_2'],
            ['UF_3', 'p.uf_3'],
            ['UF_4', 'p.uf_4'],
            ['Coordinators', 'p.coordinators'],
            ['Notes', 'p.notes'],
            ['Prerequisites', 'p.prerequisites'],
        ]) }} as description,
        p.is_active,
        -- Migrated history must not wait for an approval nobody gave
        -- (docs/certification-migration.md: switching approval on afterwards).
        false as requires_approval,
        p.file_id,
        p.line_number
    from programs as p
    left join errors as e
        on p.file_id = e.file_id and p.line_number = e.line_number
    where e.file_id is null

)

select * from final
