"""The numbered migrations: run in order, recorded, idempotent, and an older
database whose records are still in raw is moved to ops with every row."""

from datetime import date
from pathlib import Path

import psycopg2
import pytest

from loaders.core.db import DatabaseError, ensure_schema, migrate, migrations, transaction
from loaders.core.formats import registry

FIXTURES = Path(__file__).parent / "fixtures"
OPS_TABLES = ["cert_exports", "cert_migration_batches", "cert_migrations",
              "date_change_files", "date_change_items", "eligibility_transmission_items",
              "eligibility_transmissions", "match_decisions", "match_purged_records",
              "match_purges", "match_weights",
              "placement_applied", "print_export_items", "print_exports", "problem_handling",
              "schema_migrations", "score_export_files", "score_export_items",
              "score_request_files", "score_request_history",
              "status_change_export_items", "status_change_exports", "sync_export_files",
              "sync_export_items"]


@pytest.fixture
def conn(db_url):
    conn = psycopg2.connect(db_url)
    conn.autocommit = True
    yield conn
    conn.close()


def query(conn, sql: str, args: tuple = ()) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else []


def catalog(conn) -> dict:
    """Every table, column, index, constraint and function of raw and ops."""
    return {
        "columns": query(conn, "select table_schema, table_name, column_name, data_type, "
                               "column_default, is_nullable from information_schema.columns "
                               "where table_schema in ('raw', 'ops') order by 1, 2, 3"),
        "indexes": query(conn, "select schemaname, tablename, indexname, indexdef from pg_indexes "
                               "where schemaname in ('raw', 'ops') order by 1, 2, 3"),
        "constraints": query(conn, "select n.nspname, c.conname, pg_get_constraintdef(c.oid) "
                                   "from pg_constraint c join pg_namespace n "
                                   "on n.oid = c.connamespace where n.nspname in ('raw', 'ops') "
                                   "order by 1, 2"),
        "functions": query(conn, "select n.nspname, p.proname from pg_proc p join pg_namespace n "
                                 "on n.oid = p.pronamespace where n.nspname in ('raw', 'ops') "
                                 "order by 1, 2"),
    }


def tables(conn, schema: str) -> list[str]:
    return [r[0] for r in query(conn, "select table_name from information_schema.tables "
                                      "where table_schema = %s order by 1", (schema,))]


def force(conn) -> None:
    """Forgets the fingerprint, so ensure_schema runs everything again."""
    query(conn, "comment on schema ops is null")


def test_migrations_are_numbered_per_room_core_first():
    found = migrations()
    assert [str(m) for m in found[:3]] == ["core/migrations/0001_custody.sql",
                                           "core/migrations/0002_file_manifest_land_started_at.sql",
                                           "core/migrations/0003_ops_schema.sql"]
    rooms = [m.room for m in found]
    # core first (even before a room named alphabetically before it), then by room
    assert rooms == ["core"] * rooms.count("core") + sorted(r for r in rooms if r != "core")
    for room in set(rooms):
        versions = [m.version for m in found if m.room == room]
        assert versions == list(range(1, len(versions) + 1)), room


def test_migrations_run_once_are_recorded_and_a_second_run_changes_nothing(conn):
    ensure_schema(conn, registry().values())
    recorded = query(conn, "select room, version, name, sha256, applied_at "
                           "from ops.schema_migrations order by 1, 2")
    assert [(r[0], r[1], r[2]) for r in recorded] == [
        (m.room, m.version, m.name) for m in sorted(migrations(), key=lambda m: (m.room, m.version))]
    assert tables(conn, "ops") == OPS_TABLES
    before = catalog(conn)

    force(conn)
    ensure_schema(conn, registry().values())
    assert catalog(conn) == before
    assert query(conn, "select room, version, name, sha256, applied_at "
                       "from ops.schema_migrations order by 1, 2") == recorded

    # Each file is idempotent by itself too: run all of them again, unrecorded.
    with transaction(conn) as cur:
        for m in migrations():
            cur.execute(m.sql)
    assert catalog(conn) == before


def test_tables_left_in_raw_move_to_ops_with_their_rows(conn):
    query(conn, (FIXTURES / "schema_before_ops.sql").read_text())
    query(conn, "insert into raw.score_request_files (file_name, update_file_name, sha256, "
                "row_count) values ('SCORE_REQUESTS_1.csv', 'CHECKLIST_UPDATE_1.csv', 'abc', 2)")
    query(conn, "insert into raw.score_request_history values "
                "(1, 'P1', 'NEXT', 'TSTS', date '2026-01-05'), (1, 'P2', 'NOW', 'TSTS', "
                "date '2026-01-05')")
    query(conn, "insert into raw.eligibility_transmissions (file_name, sha256, record_count, "
                "range_from, range_to) values ('ELIGIBILITY_1.csv', 'def', 1, date '2026-01-01', "
                "date '2026-01-31')")
    query(conn, "insert into raw.eligibility_transmission_items values (1, 'A1')")
    query(conn, "insert into raw.placement_applied (file_id, line_number, applied_at) "
              "values (7, 2, timestamptz '2026-01-10 09:00+00')")
    query(conn, "insert into raw.print_exports (print_kind, file_name, sha256, row_count) "
                "values ('certificate', 'PRINT_CERTIFICATE_1.csv', 'ghi', 1)")
    query(conn, "insert into raw.print_export_items values (1, 'certificate', 'A1')")
    query(conn, "insert into raw.status_change_exports (file_name, sha256, row_count) "
                "values ('STATUS_CHANGES_1.csv', 'jkl', 1)")
    query(conn, "insert into raw.status_change_export_items values (1, 'SC1')")

    ensure_schema(conn, registry().values())

    assert not set(OPS_TABLES) & set(tables(conn, "raw"))
    assert tables(conn, "ops") == OPS_TABLES
    assert query(conn, "select person_id, requested_on from ops.score_request_history "
                       "order by 1") == [("P1", date(2026, 1, 5)), ("P2", date(2026, 1, 5))]
    assert query(conn, "select application_id from ops.eligibility_transmission_items") == [
        ("A1",)]
    assert query(conn, "select file_id, line_number, extract(epoch from applied_at) "
                       "from ops.placement_applied") == [(7, 2, 1768035600)]
    assert query(conn, "select application_id from ops.print_export_items") == [("A1",)]
    assert query(conn, "select status_change_id from ops.status_change_export_items") == [
        ("SC1",)]
    # The serial sequences moved with their tables: the next id follows on.
    assert query(conn, "select nextval(pg_get_serial_sequence('ops.score_request_files', "
                       "'file_id'))") == [(2,)]
    assert query(conn, "select indexname from pg_indexes where schemaname = 'ops' and "
                       "tablename = 'score_request_history' order by 1") == [
        ("score_request_history_person",), ("score_request_history_pkey",)]

    # An upgraded database ends like a new one.
    upgraded = catalog(conn)
    force(conn)
    ensure_schema(conn, registry().values())
    assert catalog(conn) == upgraded


def test_a_table_in_both_raw_and_ops_stops_the_migration(conn):
    ensure_schema(conn, registry().values())
    query(conn, "create table raw.placement_applied (file_id bigint, line_number bigint)")
    query(conn, "delete from ops.schema_migrations where room = 'placement'")
    force(conn)
    with pytest.raises(psycopg2.Error, match="both raw.placement_applied and "
                                              "ops.placement_applied exist"):
        ensure_schema(conn, registry().values())


def test_a_migration_changed_after_it_was_applied_is_refused(conn, tmp_path):
    folder = tmp_path / "loaders" / "demo" / "migrations"
    folder.mkdir(parents=True)
    first = folder / "0001_table.sql"
    first.write_text("create table if not exists ops.demo (id integer);\n")
    with transaction(conn) as cur:
        assert [str(m) for m in migrate(cur, migrations(tmp_path / "loaders"))] == [
            "demo/migrations/0001_table.sql"]
    with transaction(conn) as cur:
        assert migrate(cur, migrations(tmp_path / "loaders")) == []
    first.write_text("create table if not exists ops.demo (id bigint);\n")
    with pytest.raises(DatabaseError, match="0001_table.sql changed after this database "
                                            "applied it"):
        with transaction(conn) as cur:
            migrate(cur, migrations(tmp_path / "loaders"))


def test_a_misnamed_or_twice_numbered_migration_is_refused(tmp_path):
    folder = tmp_path / "loaders" / "demo" / "migrations"
    folder.mkdir(parents=True)
    (folder / "1_table.sql").write_text("")
    with pytest.raises(DatabaseError, match="named NNNN_name.sql"):
        migrations(tmp_path / "loaders")
    (folder / "1_table.sql").rename(folder / "0001_table.sql")
    (folder / "0001_other.sql").write_text("")
    with pytest.raises(DatabaseError, match="two migrations numbered 0001"):
        migrations(tmp_path / "loaders")
