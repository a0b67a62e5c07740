"""dbt's unit tests, run once per suite (the nightly `build` leaves them out).

Each unit test feeds a model fixed rows and compares its output, so it needs a
database to run the SQL in but none of the landed data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_cli

pytestmark = pytest.mark.portability


def test_every_dbt_unit_test_passes(tmp_path, db_url):
    parents = run_cli("build", "--select", "+test_type:unit", cwd=tmp_path, timeout=900)
    assert parents.returncode == 0, parents.stdout[-4000:] + parents.stderr
    result = run_cli("dbt", "test", "--select", "test_type:unit", cwd=tmp_path, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    target = Path(os.environ.get("DBT_TARGET_PATH", ROOT / "target"))
    results = json.loads((target / "run_results.json").read_text())["results"]
    units = [r for r in results if r["unique_id"].startswith("unit_test.")]
    manifest = json.loads((target / "manifest.json").read_text())
    assert len(units) == len(manifest["unit_tests"]) > 0  # every one of them ran
    assert {r["status"] for r in units} == {"pass"}
