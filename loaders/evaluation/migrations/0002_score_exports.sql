-- Scores out to the student system: every file `export scores` wrote and
-- each score it held with the fingerprint of what was sent (score, test
-- date after the same-date fix, best mark, purpose marks, exemptions), so a
-- score goes again only when one of those changed.

create table if not exists ops.score_export_files (
    file_id bigserial primary key,
    file_name text not null,
    sha256 text not null,
    row_count integer not null,
    created_at timestamptz not null default now(),
    uploaded_to text,
    uploaded_at timestamptz
);

create table if not exists ops.score_export_items (
    file_id bigint not null references ops.score_export_files (file_id),
    score_id text not null,
    person_id text not null,
    content_hash text not null,
    change_kind text not null check (change_kind in ('new', 'changed')),
    primary key (file_id, score_id)
);

create index if not exists score_export_items_score
    on ops.score_export_items (score_id, content_hash);
