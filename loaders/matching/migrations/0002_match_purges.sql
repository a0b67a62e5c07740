-- Purges of the matching working tables: incoming records never matched and
-- never decided, older than the retention period (dbt var
-- matching_purge_after_days; the rule is the model int_matching__purgeable).
--
-- match_purges: one row per purge (`match purge`, or `run` at its end), with
-- how many records it took out. match_purged_records: each record purged; the
-- matching models leave these records out (int_matching__records), so they
-- do not come back with the next build. The file archive and the raw tables
-- are never touched: deleting a record's row here and running
-- `build --full-refresh --select int_matching__records+` rebuilds it from raw.

create table if not exists ops.match_purges (
    purge_id bigserial primary key,
    run_id bigint,
    purged_at timestamptz not null default now(),
    retention_days integer not null,
    purged_by text not null,
    records integer not null
);

create table if not exists ops.match_purged_records (
    record_id text primary key,
    purge_id bigint not null references ops.match_purges (purge_id),
    file_id bigint not null,
    line_number bigint not null,
    outcome text not null,
    received_at timestamptz
);
