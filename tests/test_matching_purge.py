"""`match purge`: incoming records never matched nor decided, older than the
retention period, leave the matching working tables, recorded, and stay out."""

from __future__ import annotations

import pytest

from tests.helpers import run_cli
from tests.test_matching_decisions import (  # noqa: F401 (fixture)
    AFTER_DECISIONS,
    MATCHED,
    NEW,
    POTENTIAL,
    matching_template,
    ok,
)


def cli(folder, *args):
    return ok(run_cli(*args, cwd=folder, timeout=600))


@pytest.mark.db_from("matching_template")
def test_old_undecided_records_are_purged_recorded_and_stay_out(sql, tmp_path):
    # Every record arrived 200 days ago; the new one was decided (new_person).
    sql("update intermediate.int_matching__records "
        "set received_at = received_at - interval '200 days'")
    sql("insert into ops.match_decisions (decision, record_id, decided_by, source) "
        "values ('new_person', %s, 'dana', 'test')", (NEW,))
    cli(tmp_path, *AFTER_DECISIONS)
    assert sql("select record_id, outcome, retention_days from "
               "intermediate.int_matching__purgeable") == [(POTENTIAL, "potential", 180)]
    assert "1 record(s) would be purged" in cli(tmp_path, "match", "purge", "--dry-run").stdout
    assert sql("select count(*) from ops.match_purges") == [(0,)]

    out = cli(tmp_path, "match", "purge", "--by", "dana").stdout
    assert "purged 1 incoming record(s) never matched nor decided, older than 180 days" in out
    assert sql("select records, retention_days, purged_by from ops.match_purges") == [
        (1, 180, "dana")]
    assert sql("select record_id, outcome from ops.match_purged_records") == [
        (POTENTIAL, "potential")]
    for table in ("int_matching__records", "int_matching__candidates"):
        assert sql(f"select count(*) from intermediate.{table} where record_id = %s",
                   (POTENTIAL,)) == [(0,)], table
    # The next build leaves it out everywhere; the raw rows and the archive stay.
    cli(tmp_path, "dbt", "build", "--select", "int_matching__records+,path:models/intermediate/matching "
        "int_matching__records+,path:models/marts/matching", "--exclude-resource-type", "test")
    ids = {r for (r,) in sql("select record_id from marts.mart_person_matches")}
    assert POTENTIAL not in ids and {MATCHED, NEW} <= ids
    assert sql("select count(*) from marts.mart_match_review_queue") == [(0,)]
    assert sql("select count(*) from intermediate.int_admissions__scores "
               "where file_id || ':' || line_number = %s", (POTENTIAL,)) != [(0,)]
    # Nothing left to purge: no second purge row.
    assert "Nothing to purge" in cli(tmp_path, "match", "purge").stdout
    assert sql("select count(*) from ops.match_purges") == [(1,)]


@pytest.mark.db_from("matching_template")
def test_recent_records_are_not_purged_and_purge_needs_a_build(sql, tmp_path):
    refused = run_cli("match", "purge", cwd=tmp_path)
    assert refused.returncode == 1 and "int_matching__purgeable is not built yet" in \
        refused.stderr, refused.stderr
    cli(tmp_path, "dbt", "run", "--select", "int_matching__purgeable")
    assert sql("select count(*) from intermediate.int_matching__purgeable") == [(0,)]
    assert "Nothing to purge" in cli(tmp_path, "match", "purge").stdout
