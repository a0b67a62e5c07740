-- The ops schema: what the Python side did or a person decided (transmissions,
-- exported items, applied rows, request history). ops.schema_migrations itself
-- is created by loaders.core.db before any migration runs.
--
-- ops.move_from_raw(table): the records first lived in raw. A table still in
-- raw is moved to ops with its rows, indexes and sequences (ALTER TABLE ... SET
-- SCHEMA); a database with the table in both schemas stops the migration
-- rather than choose which rows to keep.

create schema if not exists ops;

create or replace function ops.move_from_raw(table_name text) returns void
language plpgsql as $$
begin
    if to_regclass(format('raw.%I', table_name)) is null then
        return;
    end if;
    if to_regclass(format('ops.%I', table_name)) is not null then
        raise exception 'both raw.% and ops.% exist: move the rows of raw.% into ops.% by hand, then drop it',
            table_name, table_name, table_name, table_name;
    end if;
    execute format('alter table raw.%I set schema ops', table_name);
end
$$;
