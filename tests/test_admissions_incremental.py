"""The incremental admissions chain gives what a full refresh gives.

History is landed and built: the ACT, SAT, AP and PreACT samples, a file
whose landing died before any row (its file id is lower than the next
one's), a file whose landing died after its rows were committed (built
half-landed), and a file that repeats the scores of the first. Then, before an
incremental build: the first lands (after the file that repeats it, so its
earlier delivery takes their scores over), the second lands again (its rows
replaced), and a file quarantined for a missing column lands. Every admissions table is then compared with a
`dbt run --full-refresh` of the same raw data.
"""

from __future__ import annotations

import pytest

from tests.helpers import ROOT, SAMPLES, run_cli
from tests.test_admissions_layouts import ACT_SCORES, act_scores_of, act_variant, expected_act
from tests.test_admissions_scores import load

pytestmark = pytest.mark.skipif(not SAMPLES.exists(), reason="../shared/vendor-samples missing")

# The admissions models and what they are built from; data tests and unit tests
# run elsewhere (tests/test_admissions_scores.py, tests/test_dbt_unit.py).
ADMISSIONS = ("--select", "+path:models/marts/admissions")
CRASH = "SCOREBRIDGE_CRASH_AT"
BOOKKEEPING = {"rebuilt_at"}


def dbt(tmp_path, *args):
    result = run_cli("dbt", *args, *ADMISSIONS, cwd=tmp_path, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    return result


def land(tmp_path, sql, path):
    """Loads an ACT file; the command exits 1 while an interrupted file waits."""
    result = run_cli("load", "act_csv", str(path), cwd=tmp_path)
    assert sql("select status from raw.file_manifest where original_name = %s",
               (path.name,)) == [("landed",)], result.stderr


def killed_load(tmp_path, path, crash_point):
    result = run_cli("load", "act_csv", str(path), cwd=tmp_path, env={CRASH: crash_point})
    assert result.returncode != 0, result.stdout


def tables() -> list[tuple[str, str]]:
    """Every admissions model that holds rows (views read them)."""
    return [(folder.split("/")[1], path.stem)
            for folder in ("models/intermediate/admissions", "models/marts/admissions")
            for path in sorted((ROOT / folder).glob("*.sql"))]


def snapshot(sql, skip=BOOKKEEPING) -> dict[str, list[str]]:
    out = {}
    for schema, table in tables():
        columns = [c for (c,) in sql(
            "select column_name from information_schema.columns where table_schema = %s "
            "and table_name = %s order by ordinal_position", (schema, table))
            if c not in skip]
        assert columns, f"{schema}.{table} was not built"
        out[f"{schema}.{table}"] = sorted(map(repr, sql(
            f"select {', '.join(columns)} from {schema}.{table}")))
    return out


def test_incremental_admissions_builds_equal_a_full_refresh(tmp_path, db_url, sql):
    for fmt, name in (("act_csv", "act_sample.csv"), ("sat_csv", "sat_sample.csv"),
                      ("ap_csv", "ap_sample_2324.csv"), ("preact_fixed", "preact_fixed_width.txt")):
        load(tmp_path, fmt, SAMPLES / name)
    late = act_variant(tmp_path / "act_late.csv", "7")
    killed_load(tmp_path, late, "after_archive")  # archived, no row landed
    again = act_variant(tmp_path / "act_again.csv", "6")
    killed_load(tmp_path, again, "during_land")  # every row landed, the manifest not updated
    # The same persons and scores as the late file, archived after it.
    repeats = act_variant(tmp_path / "act_repeats.csv", "7")
    repeats.write_bytes(repeats.read_bytes().replace(b"\r\n", b"\n"))  # other bytes, same rows
    land(tmp_path, sql, repeats)
    dbt(tmp_path, "build", "--exclude-resource-type", "test", "unit_test")  # seeds, then models
    assert act_scores_of(sql, "act_repeats.csv") == expected_act("7", list(ACT_SCORES))

    land(tmp_path, sql, late)  # lands after the file that repeats it
    land(tmp_path, sql, again)  # its rows replaced, counted once
    land(tmp_path, sql, act_variant(tmp_path / "act_no_composite.csv", "8", drop={"Composite"}))
    dbt(tmp_path, "run")  # incremental

    # The earlier delivery wins, wherever it landed; the repeated scores count once.
    assert act_scores_of(sql, "act_late.csv") == expected_act("7", list(ACT_SCORES))
    assert act_scores_of(sql, "act_repeats.csv") == set()
    again_rows = sql("select count(*), count(distinct score_key) from "
                     "intermediate.int_admissions__scores where file_name = 'act_again.csv'")
    assert again_rows == [(len(expected_act("6", list(ACT_SCORES))),) * 2]
    audit = dict(sql("select file_name, scores_loaded from marts.mart_admissions_load_audit"))
    assert audit["act_repeats.csv"] == 0 and audit["act_no_composite.csv"] == 0
    assert audit["act_late.csv"] == len(expected_act("7", list(ACT_SCORES)))
    assert sql("select file_name from marts.mart_file_quarantine") == [("act_no_composite.csv",)]

    # The same raw data built from scratch gives the same rows.
    incremental = snapshot(sql)
    dbt(tmp_path, "run", "--full-refresh")
    full = snapshot(sql)
    # Every table has rows to compare, but the formats no file was landed for.
    assert [t for t, rows in full.items() if not rows] == [
        f"intermediate.int_admissions__{fmt}_parsed" for fmt in ("accuplacer", "gmat", "gre")]
    assert full == incremental
