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
