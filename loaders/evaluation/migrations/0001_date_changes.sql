-- Same-date test date changes: every file `export date-changes` (or `run`)
-- wrote, whom it was emailed to, and each change it held, so no change is
-- sent twice.

create table if not exists ops.date_change_files (
    file_id bigserial primary key,
    file_name text not null,
    sha256 text not null,
    row_count integer not null,
    created_at timestamptz not null default now(),
    uploaded_to text,
    uploaded_at timestamptz,
    emailed_to text,
    emailed_at timestamptz
);

create table if not exists ops.date_change_items (
    file_id bigint not null references ops.date_change_files (file_id),
    change_id text not null,
    person_id text not null,
    test_code text not null,
    record_id text not null,
    vendor_person_id text,
    old_test_date date not null,
    new_test_date date not null,
    date_rule text not null,
    primary key (file_id, change_id)
);

create index if not exists date_change_items_change
    on ops.date_change_items (change_id);
