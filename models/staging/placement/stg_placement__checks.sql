-- Every problem with a placement holding row: one row per line and failed
-- rule. A line with a problem is never applied to the scores.

with scores as (

    select * from {{ ref('stg_placement__scores') }}

),

tests as (

    select * from {{ ref('placement_tests') }}

)

select
    scores.file_id,
    scores.line_number,
    checks.field,
    checks.field_value,
    checks.reason
from scores
left join tests
    on scores.test_code = tests.test_code
cross join
    lateral (
        values
        (null, scores.raw_record, scores.parse_error),
        (
            'StudentID',
            scores.student_id,
            case when scores.student_id is null then 'missing student id' end
        ),
        (
            'TestCode',
            scores.test_code,
            case
                when scores.test_code is null then 'missing test code'
                when tests.test_code is null then 'unknown test code (expected MPT, WPC, WPG or WPS)'
            end
        ),
        (
            'Score',
            scores.score_text,
            case
                when scores.score_text is null then 'missing score'
                when scores.score is null then 'score is not a whole number'
                when scores.score not between tests.min_score and tests.max_score
                    then
                        'score outside ' || tests.min_score || '-' || tests.max_score
                        || ' for ' || tests.test_code
            end
        ),
        (
            'CompletedAt',
            scores.completed_at_text,
            case
                when scores.completed_at_text is null then 'missing completion time'
                when scores.completed_at is null
                    then 'not a real date-time in the form YYYY-MM-DD[THH:MM[:SS]]'
            end
        )
    ) as checks (field, field_value, reason)
where
    checks.reason is not null
    and (scores.parse_error is null or checks.field is null)
