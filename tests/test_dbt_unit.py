"""dbt's unit tests, run once per suite (the nightly `build` leaves them out).

Each unit test feeds a model fixed rows and compares its output, so it needs a
database to run the SQL in but none of the landed data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_cli, write_config

pytestmark = pytest.mark.portability


def test_every_dbt_unit_test_passes(tmp_path, db_url):
    from loaders.core.context import open_context

    open_context(write_config(tmp_path, []), quiet=True).conn.close()  # the raw tables
    # The seeds and models the unit tests read, and the unit tests; no data tests.
    result = run_cli("dbt", "build", "--select", "+test_type:unit", "--exclude-resource-type",
                     "test", cwd=tmp_path, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    target = Path(os.environ.get("DBT_TARGET_PATH", ROOT / "target"))
    results = json.loads((target / "run_results.json").read_text())["results"]
    units = [r for r in results if r["unique_id"].startswith("unit_test.")]
    manifest = json.loads((target / "manifest.json").read_text())
    assert len(units) == len(manifest["unit_tests"]) > 0  # every one of them ran
    assert {r["status"] for r in units} == {"pass"}


def test_proper_case_unit_tests_read_the_rules_seed(tmp_path, sql):
    # The proper-case unit tests on their own (pytest -k proper_case), then
    # once more without the Mc row of the seed: the rules are the seed's rows,
    # read as they are in the database, so the surnames (MCDONALD) and the
    # addresses (MCALLEN) come out wrong and those two unit tests fail.
    from loaders.core.context import open_context

    open_context(write_config(tmp_path, []), quiet=True).conn.close()  # the raw tables
    built = run_cli("dbt", "build", "--select", "+int_matching__new_persons_cased",
                    "assert_proper_case_rule_examples_hold", "--exclude", "test_type:generic",
                    cwd=tmp_path, timeout=600)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr
    for passed in ("proper_case_surnames", "proper_case_given_names", "proper_case_addresses",
                   "assert_proper_case_rule_examples_hold"):  # and every row's example holds
        assert f"PASS {passed}" in built.stdout or f"PASS int_matching__new_persons_cased::{passed}" \
            in built.stdout, built.stdout[-4000:]

    sql("delete from seeds.matching_proper_case_rules where rule = 'prefix' and token = 'mc'")
    failed = run_cli("dbt", "test", "--select", "int_matching__new_persons_cased,test_type:unit",
                     cwd=tmp_path, timeout=600)
    assert failed.returncode == 1, failed.stdout[-4000:] + failed.stderr
    assert "PASS=1 WARN=0 ERROR=2" in failed.stdout, failed.stdout[-4000:]
    assert "Mcdonald" in failed.stdout and "Mcallen" in failed.stdout, failed.stdout[-4000:]
