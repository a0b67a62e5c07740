-- The organisation's persons as they stand: the newest version of each
-- person (the latest file, then the latest line), every field matching uses.

with

person_lines as (

    select * from {{ ref('stg_organisation__persons_lines') }}
    where
        parse_error is null
        and person_id is not null

),

ranked as (

    select
        *,
        row_number() over (
            partition by person_id order by file_id desc, line_number desc
        ) as version_rank
    from person_lines

),

final as (

    select
        person_id,
        first_name,
        middle_name,
        last_name,
        {{ parse_date('birth_date') }} as birth_date,
        gender,
        email,
        cast(null as {{ dbt.type_string() }}) as phone,
        ssn,
        street1 as street,
        street2,
        city,
        state,
        zip,
        country,
        file_id,
        line_number
    from ranked
    where version_rank = 1

)

select * from final
