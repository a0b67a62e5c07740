-- Placement: which holding rows (raw.placement_csv file and line) the
-- placement scores mart has taken in. Recorded by loaders.placement after each
-- build from marts.mart_placement_rows_applied; the mart reads it (through
-- staging.stg_ops__placement_applied) to skip rows already applied.

select ops.move_from_raw('placement_applied');

create table if not exists ops.placement_applied (
    file_id bigint not null,
    line_number bigint not null,
    applied_at timestamptz not null default now(),
    primary key (file_id, line_number)
);
