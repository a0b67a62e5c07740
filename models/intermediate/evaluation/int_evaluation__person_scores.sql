{{ config(materialized='table') }}

-- A table, not a view: every evaluation model and many data tests read it, and as a
-- view each of them joined the whole history again (benchmarks/bench_evaluation.py).
-- Every score of a matched person: the scores of int_admissions__scores
-- without an error, on the record (file and line) matching said is that
-- person (int_matching__outcomes, matched automatically or by a decision).
-- What every evaluation model reads. Grain: one row per score (score_id).
with

scores as (

    select * from {{ ref('int_admissions__scores') }}
    where not has_error

),

outcomes as (

    select * from {{ ref('int_matching__outcomes') }}
    where outcome = 'matched'

),

final as (

    select
        s.score_id,
        o.person_id,
        o.record_id,
        o.match_rule,
        s.format_name,
        s.file_id,
        s.file_name,
        s.line_number,
        o.received_at,
        s.vendor_person_id,
        s.test_code,
        s.test_name,
        s.component_code,
        s.component,
        s.score,
        s.test_date,
        s.is_official
    from scores as s
    inner join outcomes as o
        on
            s.file_id = o.file_id
            and s.line_number = o.line_number

)

select * from final
