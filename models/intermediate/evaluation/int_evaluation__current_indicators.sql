-- The organisation's admission test indicators as they stand: the newest
-- line (the latest file, then the latest line) of each person and
-- indicator (TIUG, TIGR), as stg_matching__persons takes the newest person.
with

indicator_lines as (

    select * from {{ ref('stg_organisation__admission_test_indicators_lines') }}
    where
        parse_error is null
        and person_id is not null
        and indicator is not null

),

ranked as (

    select
        *,
        row_number() over (
            partition by person_id, upper(indicator)
            order by file_id desc, line_number desc
        ) as version_rank
    from indicator_lines

),

final as (

    select
        person_id,
        upper(indicator) as indicator,
        upper(test_letter) as test_letter,
        file_id,
        line_number
    from ranked
    where version_rank = 1

)

select * from final
