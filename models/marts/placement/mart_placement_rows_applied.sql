{{ config(materialized='view') }}

-- The valid placement holding rows that mart_placement_scores now reflects
-- and ops.placement_applied does not hold yet: for each, the table's row for
-- its student and test is the same row or a newer one (later completion, then
-- later file, then later line). loaders.placement records them in
-- ops.placement_applied after each build. A view, so it always describes the
-- table as it is.

with holding as (

    select scores.*
    from {{ ref('stg_placement__scores') }} as scores
    where not exists (
        select 1 from {{ ref('stg_placement__checks') }} as checks
        where
            checks.file_id = scores.file_id
            and checks.line_number = scores.line_number
    )

),

current_scores as (

    select * from {{ ref('mart_placement_scores') }}

),

applied as (

    select * from {{ ref('stg_ops__placement_applied') }}

),

final as (

    select
        holding.file_id,
        holding.line_number
    from holding
    inner join current_scores
        on
            holding.student_id = current_scores.student_id
            and holding.test_code = current_scores.test_code
    where
        (
            holding.completed_at < current_scores.completed_at
            or (
                holding.completed_at = current_scores.completed_at
                and holding.file_id < current_scores.file_id
            )
            or (
                holding.completed_at = current_scores.completed_at
                and holding.file_id = current_scores.file_id
                and holding.line_number <= current_scores.line_number
            )
        )
        and not exists (
            select 1 from applied
            where
                applied.file_id = holding.file_id
                and applied.line_number = holding.line_number
        )

)

select * from final
