-- Credentialing: every eligibility file written by `export eligibility` and the
-- applications it held, so nothing is sent twice without knowing it.

select ops.move_from_raw('eligibility_transmissions');
select ops.move_from_raw('eligibility_transmission_items');

create table if not exists ops.eligibility_transmissions (
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

create table if not exists ops.eligibility_transmission_items (
    transmission_id bigint not null references ops.eligibility_transmissions (transmission_id),
    application_id text not null,
    primary key (transmission_id, application_id)
);

create index if not exists eligibility_transmission_items_application
    on ops.eligibility_transmission_items (application_id);
