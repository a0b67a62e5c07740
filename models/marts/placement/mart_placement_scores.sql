{{
    config(
        materialized='incremental',
        unique_key=['student_id', 'test_code'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

-- The applied rows are read only on incremental builds, so the dependency is declared:
-- depends_on: {{ ref('stg_ops__placement_applied') }}

-- Placement scores per student and test, kept up to date from the LMS
-- holding rows: each build inserts a student's first score for a test and
-- updates it when a newer one arrives (latest completion wins, then the later
-- file and line). Only holding rows not yet applied (ops.placement_applied)
-- are read. After the build, loaders.placement records as applied every valid
-- holding row the table now reflects (mart_placement_rows_applied: the winner
-- and the older ones it beat); a row not recorded yet is read again by the
-- next build and changes nothing, since it cannot beat the row it lost to.

with holding as (

    select scores.*
    from {{ ref('stg_placement__scores') }} as scores
    where
        not exists (
            select 1 from {{ ref('stg_placement__checks') }} as checks
            where
                checks.file_id = scores.file_id
                and checks.line_number = scores.line_number
        )
        {% if is_incremental() %}
            and not exists (
                select 1 from {{ ref('stg_ops__placement_applied') }} as applied
                where
                    applied.file_id = scores.file_id
                    and applied.line_number = scores.line_number
            )
        {% endif %}

),

{% if is_incremental() %}

    touched as (

        select distinct
            student_id,
            test_code
        from holding

    ),

{% endif %}

candidates as (

    select
        student_id,
        test_code,
        score,
        completed_at,
        file_id,
        line_number
    from holding

    {% if is_incremental() %}

        union all

        select
            current_scores.student_id,
            current_scores.test_code,
            current_scores.score,
            current_scores.completed_at,
            current_scores.file_id,
            current_scores.line_number
        from {{ this }} as current_scores
        inner join touched
            on
                current_scores.student_id = touched.student_id
                and current_scores.test_code = touched.test_code

    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by student_id, test_code
            order by completed_at desc, file_id desc, line_number desc
        ) as recency
    from candidates

)

select
    student_id,
    test_code,
    score,
    completed_at,
    file_id,
    line_number
from ranked
where recency = 1
