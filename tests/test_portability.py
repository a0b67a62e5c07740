"""The SQL on the server at hand: every seed, model and data test runs, on data.

CI runs the whole suite on the embedded PostgreSQL 16, then only the tests
marked ``portability`` on Debian's PostgreSQL 15 (.ci/run): this one, which
lands generated files of every format and builds the whole project, and the dbt
unit tests (tests/test_dbt_unit.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_cli, write_config

pytestmark = pytest.mark.portability


def test_every_seed_model_and_data_test_runs(tmp_path, sql):
    from loaders.core.context import open_context
    from loaders.devtools.generate import formats, generate, generate_people
    from loaders.runs import jobs

    config = write_config(tmp_path, [])
    people = generate_people(40, seed=7)
    ctx = open_context(config, quiet=True)
    try:
        for fmt in formats():
            path = generate(fmt, tmp_path / "files" / f"{fmt}.txt", 40, seed=7, people=people)
            result = jobs.load(ctx, fmt, [path])
            assert not any(s.errors for s in result.summaries), (fmt, result.summaries)
    finally:
        ctx.conn.close()
    landed = dict(sql("select format, sum(rows_landed) from raw.file_manifest group by 1"))
    assert set(landed) == set(formats()) and all(landed.values())

    built = run_cli("--config", str(config), "build", cwd=tmp_path, timeout=900)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr
    target = Path(os.environ.get("DBT_TARGET_PATH", ROOT / "target"))
    manifest = json.loads((target / "manifest.json").read_text())
    ran = {r["unique_id"]: r["status"] for r in
           json.loads((target / "run_results.json").read_text())["results"]}
    nodes = {uid: node for uid, node in manifest["nodes"].items()
             if node["resource_type"] in ("seed", "model", "test")}
    # Models tagged on_request (the matching weight estimates) are left out of
    # every build and built by the verb that asks for them: built here after.
    asked = {uid for uid, node in nodes.items() if "on_request" in node.get("tags", [])}
    expected = set(nodes) - asked
    assert asked and expected - set(ran) == set()  # nothing skipped or left out
    failed = {uid: ran[uid] for uid in expected if ran[uid] not in ("success", "pass", "warn")}
    assert failed == {}
    on_request = run_cli("--config", str(config), "dbt", "build", "--select", "tag:on_request",
                         cwd=tmp_path, timeout=600)
    assert on_request.returncode == 0, on_request.stdout[-4000:] + on_request.stderr
    ran = {r["unique_id"]: r["status"] for r in
           json.loads((target / "run_results.json").read_text())["results"]}
    assert {uid: ran.get(uid) for uid in asked} == {uid: "success" for uid in asked}
