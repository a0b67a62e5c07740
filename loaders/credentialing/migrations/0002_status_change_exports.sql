-- Credentialing: every status-change file written by `export status-changes`
-- and the decisions it held.

select ops.move_from_raw('status_change_exports');
select ops.move_from_raw('status_change_export_items');

create table if not exists ops.status_change_exports (
    export_id bigserial primary key,
    file_name text not null,
    sha256 text not null,
    row_count integer not null,
    exported_at timestamptz not null default now()
);

create table if not exists ops.status_change_export_items (
    export_id bigint not null references ops.status_change_exports (export_id),
    status_change_id text not null,
    primary key (export_id, status_change_id)
);

create index if not exists status_change_export_items_change
    on ops.status_change_export_items (status_change_id);
