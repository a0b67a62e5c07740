-- Added after the first release: a manifest made before it gets the column
-- (0001 creates it on a new database, so this changes nothing there).
alter table raw.file_manifest add column if not exists land_started_at timestamptz;
