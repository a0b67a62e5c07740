"""The learner systems' staging models, on generated extracts landed through the CLI.

One template (sync_template, this module's): the eight generated files of 300
learners landed with `load` and `path:models/staging/sync` built with its data
tests. Each model is a full snapshot of its side: the newest file only.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from loaders.devtools.generate import SYNC_FORMATS, generate_learner_systems
from tests.helpers import run_cli

RUN = ("dbt", "run", "--select", "path:models/staging/sync")
BUILD = ("dbt", "build", "--select", "path:models/staging/sync", "--exclude-resource-type",
         "unit_test")


def ok(result):
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    return result


def rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return generate_learner_systems(tmp_path_factory.mktemp("sync-files"), 300, seed=11)


@pytest.fixture(scope="module")
def sync_template(pg_admin_url, tmp_path_factory, files):
    from tests.pg import make_template

    folder = tmp_path_factory.mktemp("sync")

    def prepare(url):
        env = {"SCOREBRIDGE_DATABASE_URL": url}
        for fmt, path in files.items():
            ok(run_cli("load", fmt, str(path), cwd=folder, env=env))
        built = ok(run_cli(*BUILD, cwd=folder, env=env, timeout=600))
        assert "PASS=24 WARN=0" in built.stdout, built.stdout[-4000:]

    with make_template(pg_admin_url, prepare) as name:
        yield name


@pytest.mark.db_from("sync_template")
def test_each_model_holds_its_files_lines(sql, files):
    for fmt in SYNC_FORMATS:
        expected = rows(files[fmt])
        key = next(iter(expected[0]))
        got = sql(f"select {key}, line_number, file_id from staging.stg_sync__{fmt} "
                  f"where parse_error is null order by line_number")
        assert [r[0] for r in got] == [r[key] for r in expected], fmt
        assert [r[1] for r in got] == list(range(2, len(expected) + 2)), fmt
        assert len({r[2] for r in got}) == 1


@pytest.mark.db_from("sync_template")
def test_dates_and_scores_are_typed_and_blanks_are_null(sql, files):
    first = rows(files["a_learners"])[0]
    assert sql("select birth_date, birth_date_text, risk, risk_text, lrn "
               "from staging.stg_sync__a_learners where learner_id = %s",
               (first["learner_id"],)) == [
        (date.fromisoformat(first["birth_date"]), first["birth_date"], Decimal(first["risk"]),
         first["risk"], first["lrn"])]
    quals = rows(files["b_qualifications"])
    open_one = next(q for q in quals if not q["actual_end_date"])
    assert sql("select start_date, planned_end_date, actual_end_date, actual_end_date_text "
               "from staging.stg_sync__b_qualifications "
               "where learner_id = %s and qualification_code = %s",
               (open_one["learner_id"], open_one["qualification_code"])) == [
        (date.fromisoformat(open_one["start_date"]),
         date.fromisoformat(open_one["planned_end_date"]), None, None)]
    no_link = sum(1 for r in rows(files["a_learners"]) if not r["b_learner_id"])
    assert sql("select count(*) from staging.stg_sync__a_learners "
               "where b_learner_id is null") == [(no_link,)]


@pytest.mark.db_from("sync_template")
def test_the_newest_file_replaces_the_snapshot_and_a_resent_one_is_current_again(
        sql, db_url, files, tmp_path):
    env = {"SCOREBRIDGE_DATABASE_URL": db_url}
    first = files["a_learners"]
    lines = first.read_text(encoding="utf-8").splitlines()
    header, kept = lines[0], lines[1:11]
    # The next day's extract: ten learners left, two of them twice (once again as is,
    # once with no real birth day and a padded risk).
    bad = kept[1].split(",")
    bad[5], bad[15] = "2001-02-30", "  12.50 "
    second = tmp_path / "a_learners_day2.csv"
    second.write_text("\n".join([header, *kept, kept[0], ",".join(bad)]) + "\n", encoding="utf-8")
    ok(run_cli("load", "a_learners", str(second), cwd=tmp_path, env=env))
    # The staging snapshots are incremental tables: the build replaces them.
    ok(run_cli(*RUN, cwd=tmp_path, env=env, timeout=600))
    got = sql("select learner_id from staging.stg_sync__a_learners order by line_number")
    ids = [line.split(",")[0] for line in kept]
    assert [r[0] for r in got] == [*ids, ids[0], ids[1]]
    assert sql("select birth_date, birth_date_text, risk, risk_text "
               "from staging.stg_sync__a_learners where line_number = 13") == [
        (None, "2001-02-30", Decimal("12.50"), "12.50")]
    # The key test warns about the two learners twice; it does not stop the build.
    tested = ok(run_cli("dbt", "test", "--select", "stg_sync__a_learners", cwd=tmp_path, env=env))
    assert "WARN 2 unique_stg_sync__a_learners_learner_id" in tested.stdout, tested.stdout[-3000:]
    # The first day's bytes again (nothing changed back on A): that file is the snapshot.
    again = tmp_path / "a_learners_day3.csv"
    again.write_bytes(first.read_bytes())
    ok(run_cli("load", "a_learners", str(again), cwd=tmp_path, env=env))
    assert sql("select status from raw.file_manifest order by file_id desc limit 1") == [
        ("duplicate",)]
    ok(run_cli(*RUN, cwd=tmp_path, env=env, timeout=600))
    assert sql("select count(*) from staging.stg_sync__a_learners") == [(len(lines) - 1,)]
    # Another side's snapshot is untouched by a_learners files.
    assert sql("select count(*) from staging.stg_sync__b_learners") == [
        (len(rows(files["b_learners"])),)]
