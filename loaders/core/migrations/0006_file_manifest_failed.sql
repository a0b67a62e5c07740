-- A file whose landing failed unexpectedly is `failed` until a later run
-- lands it: it is still the original of its content, so the index of
-- originals holds it too (a second copy meanwhile is a duplicate of it).
drop index if exists raw.file_manifest_one_original;
create unique index if not exists file_manifest_one_original
    on raw.file_manifest (sha256)
    where duplicate_of is null and status in ('archived', 'landed', 'quarantined', 'failed');
