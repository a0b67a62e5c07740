-- The two-way sync's change files (`export sync --to a|b`): every file
-- written and each change it held, with a hash of the value sent, so a
-- change goes again only when its value changed (docs/sync.md).

create table if not exists ops.sync_export_files (
    file_id bigserial primary key,
    side text not null check (side in ('a', 'b')),
    file_name text not null,
    sha256 text not null,
    row_count integer not null,
    created_at timestamptz not null default now(),
    uploaded_to text,
    uploaded_at timestamptz
);

create table if not exists ops.sync_export_items (
    file_id bigint not null references ops.sync_export_files (file_id),
    change_kind text not null check (change_kind in ('create', 'update')),
    entity text not null,
    record_id text not null,
    field_name text not null,
    value_hash text not null,
    primary key (file_id, change_kind, entity, record_id, field_name)
);

create index if not exists sync_export_items_key
    on ops.sync_export_items (entity, record_id, field_name);
