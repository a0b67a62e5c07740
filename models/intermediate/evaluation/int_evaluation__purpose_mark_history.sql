-- noqa: disable=LT02
-- The incremental and first-build branches share CTE names, so the indent rule reads
-- the jinja branches as one query: off in this file only.
{{ config(
    materialized='incremental',
    unique_key='mark_version_id',
    on_schema_change='fail',
) }}

-- depends_on: {{ ref('int_matching__outcomes') }}
-- depends_on: {{ ref('int_evaluation__current_indicators') }}
{%- set built_at = 'cast(' ~ dbt.current_timestamp() ~ ' as ' ~ dbt.type_timestamp() ~ ')' %}

-- Every purpose mark ever made: one row per version of a person's mark for
-- an indicator, valid from the build that made it until the build that
-- replaced it (valid_to null: the current one). A version changes when the
-- letter changes, the marked score changes (a new best) or the mark becomes
-- unmarkable or markable. Incremental: a build re-evaluates only the
-- persons with scores in files newer than the last build saw, with a
-- matching decision since the last build, or whose current indicator line
-- differs from the one their current version read (the file and decision
-- marks are those of the last build that made a version, so a quiet build
-- only widens the next one's set); the others keep their rows as they are.
-- A replaced version is updated only to set valid_to.
with

marks as (

    select * from {{ ref('int_evaluation__purpose_marks') }}

),

{% if is_incremental() %}

previous as (

    select * from {{ this }}

),

last_build as (

    select
        max(valid_from) as built_at,
        max(scores_through_file_id) as scores_through_file_id
    from previous

),

open_versions as (

    select * from previous
    where valid_to is null

),

affected_persons as (

    select s.person_id
    from {{ ref('int_evaluation__person_scores') }} as s
    where s.file_id > (select l.scores_through_file_id from last_build as l)
    union
    select o.person_id
    from {{ ref('int_matching__outcomes') }} as o
    where
        o.outcome = 'matched'
        and o.decided_at > (select l.built_at from last_build as l)
    union
    select i.person_id
    from {{ ref('int_evaluation__current_indicators') }} as i
    where not exists (
        select 1 from open_versions as v
        where
            i.person_id = v.person_id
            and i.indicator = v.indicator
            and i.file_id = v.indicator_file_id
            and i.line_number = v.indicator_line_number
    )

),

evaluated as (

    select m.*
    from marks as m
    where m.person_id in (select a.person_id from affected_persons as a)

),

{% else %}

open_versions as (

    select
        cast(null as {{ dbt.type_string() }}) as mark_version_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        cast(null as {{ dbt.type_string() }}) as indicator,
        cast(null as {{ dbt.type_string() }}) as test_letter,
        cast(null as {{ dbt.type_string() }}) as score_id,
        cast(null as {{ dbt.type_string() }}) as unmarkable_reason
    where 1 = 0

),

evaluated as (

    select * from marks

),

{% endif %}

scores_through as (

    select max(file_id) as scores_through_file_id
    from {{ ref('int_evaluation__person_scores') }}

),

-- A version is new when nothing is open for the person and indicator, or
-- what is open marks another letter, another score, or another reason.
changed as (

    select e.*
    from evaluated as e
    left join open_versions as v
        on
            e.person_id = v.person_id
            and e.indicator = v.indicator
    where
        v.person_id is null
        or coalesce(e.test_letter, '') <> coalesce(v.test_letter, '')
        or coalesce(e.score_id, '') <> coalesce(v.score_id, '')
        or coalesce(e.unmarkable_reason, '') <> coalesce(v.unmarkable_reason, '')

),

new_versions as (

    select
        {{ dbt.hash(dbt.concat(["c.person_id", "'|'", "c.indicator", "'|'", "cast(" ~ built_at ~ " as " ~ dbt.type_string() ~ ")"])) }}
            as mark_version_id,
        c.person_id,
        c.indicator,
        c.test_letter,
        c.test_code,
        c.component,
        c.is_marked,
        c.score_id,
        c.score,
        c.test_date,
        c.file_name,
        c.line_number,
        c.indicator_file_id,
        c.indicator_line_number,
        c.unmarkable_reason,
        {{ built_at }} as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to,
        t.scores_through_file_id
    from changed as c
    cross join scores_through as t

),

{% if is_incremental() %}

closed_versions as (

    select
        p.mark_version_id,
        p.person_id,
        p.indicator,
        p.test_letter,
        p.test_code,
        p.component,
        p.is_marked,
        p.score_id,
        p.score,
        p.test_date,
        p.file_name,
        p.line_number,
        p.indicator_file_id,
        p.indicator_line_number,
        p.unmarkable_reason,
        p.valid_from,
        {{ built_at }} as valid_to,
        p.scores_through_file_id
    from previous as p
    inner join changed as c
        on
            p.person_id = c.person_id
            and p.indicator = c.indicator
    where p.valid_to is null

),

final as (

    select * from new_versions
    union all
    select * from closed_versions

)

{% else %}

final as (

    select * from new_versions

)

{% endif %}

select * from final
