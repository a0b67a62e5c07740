-- The certification migration (docs/certification-migration.md): the new
-- model's tables in the schema certification, what each migration did and
-- where it stands, its batches (the committed checkpoint a killed run
-- resumes from), and every export of the import files.

create schema if not exists certification;

create table if not exists certification.programs (
    program_code text primary key,
    title text not null,
    description text,
    is_active boolean not null,
    requires_approval boolean not null
);

create table if not exists certification.components (
    component_code text primary key,
    title text not null,
    description text,
    credits numeric(28, 6),
    requires_approval boolean not null,
    requires_grade boolean not null
);

create table if not exists certification.program_requirements (
    program_code text not null,
    component_code text not null,
    is_required boolean not null,
    sequence_number integer not null,
    is_temporary boolean not null,
    primary key (program_code, component_code)
);

create table if not exists certification.enrollments (
    seqn text primary key,
    student_id text not null,
    program_code text not null,
    component_code text not null,
    registered_on date not null,
    status text not null,
    completed_on date,
    grade text,
    credits numeric(28, 6)
);

create table if not exists ops.cert_migrations (
    migration_id bigserial primary key,
    -- What it migrates: the legacy files and the seed (their hash), so a run
    -- with the same inputs resumes or, once published, does nothing.
    fingerprint text not null,
    input_files text not null,
    phase text not null check (phase in (
        'building', 'built', 'publishing', 'published', 'stopped', 'abandoned')),
    started_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    finished_at timestamptz,
    batch_size integer not null,
    batches_total integer,
    batches_done integer not null default 0,
    rows_published bigint not null default 0,
    errors integer,
    warnings integer,
    started_by text not null,
    note text
);

create table if not exists ops.cert_migration_batches (
    migration_id bigint not null references ops.cert_migrations (migration_id),
    batch_number integer not null,
    -- The batch holds the enrollments with lower_seqn < seqn <= upper_seqn
    -- (no bound: open on that side).
    lower_seqn text,
    upper_seqn text,
    rows_published bigint,
    done_at timestamptz,
    primary key (migration_id, batch_number)
);

create table if not exists ops.cert_exports (
    export_id bigserial primary key,
    migration_id bigint not null references ops.cert_migrations (migration_id),
    folder text not null,
    created_at timestamptz not null default now(),
    programs_file text not null,
    programs_sha256 text not null,
    programs_rows integer not null,
    components_file text not null,
    components_sha256 text not null,
    components_rows integer not null,
    requirements_file text not null,
    requirements_sha256 text not null,
    requirements_rows integer not null,
    enrollments_file text not null,
    enrollments_sha256 text not null,
    enrollments_rows bigint not null
);
