{{ config(materialized='view') }}

-- The rows of the scores file for the student system: every evaluated score
-- of a matched person (ACT's own superscore block left out: it is not an
-- administration) with its test date after the same-date fix, whether it is
-- the person's best for its test and component, the purpose marks (TIUG,
-- TIGR) it carries and the exemptions it grants, and a fingerprint of those
-- values. A score is in the file when no scores file sent it yet (new), or
-- one sent it with another fingerprint (changed); read live against
-- ops.score_export_items, so a second export right after the first sends
-- nothing twice.
with

scores as (

    select * from {{ ref('int_evaluation__ranked_scores') }}

),

test_dates as (

    select * from {{ ref('int_evaluation__test_dates') }}

),

purpose as (

    select
        score_id,
        {{ dbt.listagg('indicator', "' '", 'order by indicator') }} as purpose_indicators
    from {{ ref('mart_purpose_codes') }}
    where is_marked and score_id is not null
    group by score_id

),

exemptions as (

    select
        score_id,
        {{ dbt.listagg('rule_id', "' '", 'order by rule_id') }} as exemption_rules
    from {{ ref('mart_exemptions') }}
    where score_id is not null
    group by score_id

),

sent as (

    select * from {{ ref('stg_ops__score_export_items') }}

),

sent_before as (

    select distinct score_id from sent

),

evaluated as (

    select
        s.score_id,
        s.person_id,
        s.test_code,
        s.component,
        s.score,
        s.is_official,
        s.test_date as vendor_test_date,
        coalesce(d.fixed_test_date, s.test_date) as test_date,
        coalesce(s.official_rank = 1, false) as is_best,
        p.purpose_indicators,
        e.exemption_rules,
        s.file_name,
        s.line_number
    from scores as s
    left join test_dates as d
        on
            s.file_id = d.file_id
            and s.line_number = d.line_number
            and s.test_code = d.test_code
            and s.test_date = d.test_date
    left join purpose as p
        on s.score_id = p.score_id
    left join exemptions as e
        on s.score_id = e.score_id

),

fingerprinted as (

    select
        *,
        {{ dbt.hash(dbt.concat([
            'person_id', "'|'",
            "cast(score as " ~ dbt.type_string() ~ ")", "'|'",
            "coalesce(cast(test_date as " ~ dbt.type_string() ~ "), '')", "'|'",
            "case when is_best then 'best' else '' end", "'|'",
            "coalesce(purpose_indicators, '')", "'|'",
            "coalesce(exemption_rules, '')",
        ])) }} as content_hash
    from evaluated

),

final as (

    select
        f.score_id,
        f.person_id,
        f.test_code,
        f.component,
        f.score,
        f.is_official,
        f.vendor_test_date,
        f.test_date,
        f.is_best,
        f.purpose_indicators,
        f.exemption_rules,
        f.file_name,
        f.line_number,
        f.content_hash,
        case when sent_before.score_id is null then 'new' else 'changed' end as change_kind
    from fingerprinted as f
    left join sent_before
        on f.score_id = sent_before.score_id
    where
        not exists (
            select 1 from sent as s
            where
                s.score_id = f.score_id
                and s.content_hash = f.content_hash
        )

)

select * from final
