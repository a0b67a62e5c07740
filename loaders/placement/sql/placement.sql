-- Placement: which holding rows (raw.placement_csv lines) the placement
-- scores mart has taken in. Written by the post-hook of
-- models/marts/placement/mart_placement_scores.sql, in the same transaction
-- as the update, so a line is marked applied exactly when its update landed.
create table if not exists raw.placement_applied (
    file_id bigint not null,
    line_number bigint not null,
    applied_at timestamptz not null default now(),
    primary key (file_id, line_number)
);
