-- Every problem the models found that needs a person, across the domains, with
-- what a person decided about it (ops.problem_handling). A new error mart is one
-- more entry in error_marts below: its model, kind, domain and the columns that
-- hold the field, the value and the reason (an 'id' column when it has a stable one;
-- a 'where' to leave rows out, e.g. the errors of a file quarantined whole, which the
-- file's own problem stands for).
-- A view, so a problem handled a second ago already shows as handled in status
-- and in the handle verb's checks, with no build in between.
{{ config(materialized='view') }}
{%- set error_marts = [
    {'model': 'mart_result_errors', 'kind': 'result_error', 'domain': 'credentialing',
     'id': 'error_id', 'field': 'field', 'value': 'field_value', 'reason': 'reason'},
    {'model': 'mart_score_errors', 'kind': 'score_error', 'domain': 'admissions',
     'id': 'error_id', 'field': 'field_name', 'value': 'field_value',
     'reason': "rule || ': ' || coalesce(rule_detail, '')", 'where': 'not is_file_quarantined'},
    {'model': 'mart_placement_errors', 'kind': 'placement_error', 'domain': 'placement',
     'id': 'error_id', 'field': 'field', 'value': 'field_value', 'reason': 'reason'},
    {'model': 'mart_org_file_errors', 'kind': 'org_file_error', 'domain': 'organisation',
     'id': 'error_id', 'field': 'field', 'value': 'field_value', 'reason': 'reason'},
] %}

with

anomalies as (

    select * from {{ ref('mart_result_anomalies') }}

),

custody_quarantine as (

    select * from {{ ref('mart_load_audit') }}
    where status = 'quarantined'

),

admissions_quarantine as (

    select * from {{ ref('mart_file_quarantine') }}

),

manifest as (

    select * from {{ ref('stg_raw__file_manifest') }}

),

handling as (

    select * from {{ ref('stg_ops__problem_handling') }}

),

-- The anomalies of one conflict (one per result) are decided once: a decision on
-- any of them decides them all (the earliest, should two have been recorded).
conflict_handling as (

    select
        choices.problem_id,
        handling.problem_id as handled_as_problem_id,
        handling.handled_at,
        handling.handled_by,
        handling.note,
        handling.chosen_result_id,
        handling.recorded_from,
        row_number() over (
            partition by choices.problem_id
            order by handling.handled_at, handling.problem_id
        ) as decision_order
    from {{ ref('mart_problem_choices') }} as choices
    inner join handling
        on choices.choice_problem_id = handling.problem_id

),

decisions as (

    select * from conflict_handling
    where decision_order = 1

),

found as (

    select
        anomaly_id as problem_id,
        anomaly_type as problem_kind,
        'credentialing' as domain,  -- noqa: RF04
        cast(file_id as {{ dbt.type_bigint() }}) as file_id,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(null as {{ dbt.type_string() }}) as field,
        cast(null as {{ dbt.type_string() }}) as field_value,
        explanation,
        result_id
    from anomalies

    {%- for mart in error_marts %}

        {%- set problem_id = mart.id or dbt.hash(dbt.concat([
            "'" ~ mart.kind ~ "|'", 'cast(file_id as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(line_number as ' ~ dbt.type_string() ~ ')', "'|'",
            "coalesce(" ~ mart.field ~ ", '')", "'|'", mart.reason])) %}

        union all

        select
            {{ problem_id }} as problem_id,
            '{{ mart.kind }}' as problem_kind,
            '{{ mart.domain }}' as domain,  -- noqa: RF04
            cast(file_id as {{ dbt.type_bigint() }}) as file_id,
            cast(line_number as {{ dbt.type_bigint() }}) as line_number,
            cast({{ mart.field }} as {{ dbt.type_string() }}) as field,
            cast({{ mart.value }} as {{ dbt.type_string() }}) as field_value,
            {{ mart.reason }} as explanation,
            cast(null as {{ dbt.type_string() }}) as result_id
        from {{ ref(mart.model) }}
        {%- if mart.where %}
            where {{ mart.where }}
        {%- endif %}
    {%- endfor %}

    union all

    select
        {{ dbt.hash(dbt.concat([
            "'quarantined_file|'", 'cast(file_id as ' ~ dbt.type_string() ~ ')'
        ])) }} as problem_id,
        'quarantined_file' as problem_kind,
        'custody' as domain,  -- noqa: RF04
        cast(file_id as {{ dbt.type_bigint() }}) as file_id,
        cast(null as {{ dbt.type_bigint() }}) as line_number,
        cast(null as {{ dbt.type_string() }}) as field,
        cast(null as {{ dbt.type_string() }}) as field_value,
        coalesce(quarantine_reason, 'quarantined') as explanation,
        cast(null as {{ dbt.type_string() }}) as result_id
    from custody_quarantine

    union all

    select
        {{ dbt.hash(dbt.concat([
            "'quarantined_file|'", 'cast(file_id as ' ~ dbt.type_string() ~ ')'
        ])) }} as problem_id,
        'quarantined_file' as problem_kind,
        'admissions' as domain,  -- noqa: RF04
        cast(file_id as {{ dbt.type_bigint() }}) as file_id,
        cast(null as {{ dbt.type_bigint() }}) as line_number,
        cast(null as {{ dbt.type_string() }}) as field,
        cast(null as {{ dbt.type_string() }}) as field_value,
        reason as explanation,
        cast(null as {{ dbt.type_string() }}) as result_id
    from admissions_quarantine

),

final as (

    select
        found.problem_id,
        found.problem_kind,
        found.domain,
        found.file_id,
        manifest.file_name,
        found.line_number,
        found.field,
        found.field_value,
        found.explanation,
        found.result_id,
        manifest.run_id as first_seen_run_id,
        coalesce(manifest.landed_at, manifest.received_at) as first_seen_at,
        coalesce(handling.problem_id, decisions.handled_as_problem_id) as handled_as_problem_id,
        coalesce(handling.handled_at, decisions.handled_at) as handled_at,
        coalesce(handling.handled_by, decisions.handled_by) as handled_by,
        coalesce(handling.note, decisions.note) as note,
        coalesce(handling.chosen_result_id, decisions.chosen_result_id) as chosen_result_id,
        coalesce(handling.recorded_from, decisions.recorded_from) as recorded_from,
        case
            when handling.problem_id is null and decisions.problem_id is null then 'open'
            else 'handled'
        end as status
    from found
    left join manifest
        on found.file_id = manifest.file_id
    left join handling
        on found.problem_id = handling.problem_id
    left join decisions
        on found.problem_id = decisions.problem_id

)

select * from final
