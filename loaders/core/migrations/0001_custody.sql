-- Custody: the run log, the file manifest and each CSV file's header, in raw
-- beside the rows they describe. Written by loaders/custody and loaders/runs.

create schema if not exists raw;

create table if not exists raw.run_log (
    run_id bigserial primary key,
    verb text not null,
    started_at timestamptz not null default now(),
    ended_at timestamptz,
    status text not null default 'running',
    counts jsonb not null default '{}'::jsonb,
    message text,
    pid integer
);

create table if not exists raw.file_manifest (
    file_id bigserial primary key,
    run_id bigint references raw.run_log (run_id),
    source text not null,
    format text not null,
    original_name text not null,
    remote_folder text,
    archive_path text,
    sha256 text,
    size_bytes bigint,
    received_at timestamptz not null default now(),
    status text not null,
    duplicate_of bigint references raw.file_manifest (file_id),
    decrypted_path text,
    decrypted_sha256 text,
    encoding text,
    has_bom boolean,
    line_ending text,
    rows_landed bigint,
    load_id text,
    land_started_at timestamptz,
    landed_at timestamptz,
    quarantine_reason text,
    backed_up_at timestamptz,
    removed_at timestamptz
);

-- One original per content: the same bytes again are a duplicate row.
create unique index if not exists file_manifest_one_original
    on raw.file_manifest (sha256)
    where duplicate_of is null and status in ('archived', 'landed', 'quarantined');

create index if not exists file_manifest_source_received
    on raw.file_manifest (source, received_at);

create table if not exists raw.file_columns (
    file_id bigint not null references raw.file_manifest (file_id),
    ordinal integer not null,
    header_name text not null,
    column_name text not null,
    primary key (file_id, ordinal)
);
