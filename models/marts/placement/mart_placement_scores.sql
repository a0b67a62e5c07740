{{
    config(
        materialized='incremental',
        unique_key=['student_id', 'test_code'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook=[
            "insert into {{ source('raw', 'placement_applied') }} (file_id, line_number)
             select s.file_id, s.line_number
             from {{ ref('stg_placement__scores') }} as s
             inner join {{ this }} as t
                 on s.student_id = t.student_id and s.test_code = t.test_code
             where (s.completed_at, s.file_id, s.line_number)
                 <= (t.completed_at, t.file_id, t.line_number)
               and not exists (
                   select 1 from {{ ref('stg_placement__checks') }} as c
                   where c.file_id = s.file_id and c.line_number = s.line_number)
             on conflict (file_id, line_number) do nothing"
        ]
    )
}}

-- Placement scores per student and test, kept up to date from the LMS
-- holding rows: each build inserts a student's first score for a test and
-- updates it when a newer one arrives (latest completion wins, then the later
-- file and line). Only holding rows not yet applied are read; the post-hook
-- marks every valid holding row the table now reflects (the winner and the
-- older ones it beat) as applied, in the same transaction.

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
                select 1 from {{ source('raw', 'placement_applied') }} as applied
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
