-- How a removal was learnt when custody did not see it succeed: a run killed
-- between the server's delete and its reply left removed_at empty, and a later
-- run found the file gone (loaders/custody/pipeline.py, _record_gone).
alter table raw.file_manifest add column if not exists removal_note text;
