-- Credentialing: what was sent out, so nothing is sent twice without knowing it.
-- Run by loaders.core.db.ensure_schema on every command; every statement is idempotent.

-- One row per eligibility file written by `export eligibility`.
create table if not exists raw.eligibility_transmissions (
    transmission_id bigserial primary key,
    file_name text not null,
    sha256 text not null,
    record_count integer not null,
    range_from date not null,
    range_to date not null,
    exam_code text,
    created_at timestamptz not null default now(),
    uploaded_to text,
    uploaded_at timestamptz
);

-- The applications each transmission held.
create table if not exists raw.eligibility_transmission_items (
    transmission_id bigint not null references raw.eligibility_transmissions (transmission_id),
    application_id text not null,
    primary key (transmission_id, application_id)
);

create index if not exists eligibility_transmission_items_application
    on raw.eligibility_transmission_items (application_id);

-- One row per status-change file written by `export status-changes`.
create table if not exists raw.status_change_exports (
    export_id bigserial primary key,
    file_name text not null,
    sha256 text not null,
    row_count integer not null,
    exported_at timestamptz not null default now()
);

create table if not exists raw.status_change_export_items (
    export_id bigint not null references raw.status_change_exports (export_id),
    status_change_id text not null,
    primary key (export_id, status_change_id)
);

create index if not exists status_change_export_items_change
    on raw.status_change_export_items (status_change_id);

-- One row per print-house file written by `export print`.
create table if not exists raw.print_exports (
    export_id bigserial primary key,
    print_kind text not null,
    file_name text not null,
    sha256 text not null,
    row_count integer not null,
    exported_at timestamptz not null default now()
);

create table if not exists raw.print_export_items (
    export_id bigint not null references raw.print_exports (export_id),
    print_kind text not null,
    application_id text not null,
    primary key (export_id, application_id)
);

create index if not exists print_export_items_kind_application
    on raw.print_export_items (print_kind, application_id);
