-- Score requests: every file `export requests` wrote and each person, entry
-- term and item it asked for, so nobody is asked twice within the window.

select ops.move_from_raw('score_request_files');
select ops.move_from_raw('score_request_history');

create table if not exists ops.score_request_files (
    file_id bigserial primary key,
    file_name text not null,
    update_file_name text not null,
    sha256 text not null,
    row_count integer not null,
    created_at timestamptz not null default now(),
    uploaded_to text,
    uploaded_at timestamptz
);

create table if not exists ops.score_request_history (
    file_id bigint not null references ops.score_request_files (file_id),
    person_id text not null,
    entry_term text not null,
    item_code text not null,
    requested_on date not null,
    primary key (file_id, person_id, entry_term, item_code)
);

create index if not exists score_request_history_person
    on ops.score_request_history (person_id, entry_term, item_code);
