-- Credentialing: every print-house file written by `export print` and the
-- applications it held, per print kind.

select ops.move_from_raw('print_exports');
select ops.move_from_raw('print_export_items');

create table if not exists ops.print_exports (
    export_id bigserial primary key,
    print_kind text not null,
    file_name text not null,
    sha256 text not null,
    row_count integer not null,
    exported_at timestamptz not null default now()
);

create table if not exists ops.print_export_items (
    export_id bigint not null references ops.print_exports (export_id),
    print_kind text not null,
    application_id text not null,
    primary key (export_id, application_id)
);

create index if not exists print_export_items_kind_application
    on ops.print_export_items (print_kind, application_id);
