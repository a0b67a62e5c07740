-- Everyone whose application a result (or a person's choice among conflicting
-- results) decided as Passed, unless its conflicting results wait for a
-- person, once for the certificate and once for the ID card, until export print records it as
-- printed. Names in proper case; the certificate number is stable:
-- exam, pass year and application id.

with passed as (

    select * from {{ ref('mart_application_status') }}
    where
        current_status = 'Passed'
        and status_source in ('result', 'resolution')
        and not has_unresolved_conflict

),

decisions as (

    select * from {{ ref('fct_application_status_history') }}

),

persons as (

    select * from {{ ref('stg_credentialing__persons') }}

),

results as (

    select * from {{ ref('int_credentialing__results') }}

),

kinds as (

    select cast('certificate' as {{ dbt.type_string() }}) as kind
    union all
    select cast('id-card' as {{ dbt.type_string() }}) as kind

),

printed as (

    select distinct
        print_kind,
        application_id
    from {{ ref('stg_ops__print_export_items') }}

),

queue as (

    select
        kinds.kind as print_kind,
        passed.application_id,
        passed.person_id,
        {{ dbt.concat([
            'passed.exam_code', "'-'",
            'cast(extract(year from decisions.test_date) as ' ~ dbt.type_string() ~ ')',
            "'-'", 'passed.application_id',
        ]) }} as certificate_number,
        initcap(concat_ws(
            ' ',
            coalesce(persons.first_name, results.first_name),
            persons.middle_name,
            coalesce(persons.last_name, results.last_name)
        )) as full_name,
        passed.exam_code,
        decisions.test_date as pass_date
    from passed
    inner join decisions
        on passed.status_change_id = decisions.status_change_id
    inner join results
        on decisions.result_id = results.result_id
    left join persons
        on passed.person_id = persons.person_id
    cross join kinds

)

select queue.*
from queue
left join printed
    on
        queue.print_kind = printed.print_kind
        and queue.application_id = printed.application_id
where printed.application_id is null
