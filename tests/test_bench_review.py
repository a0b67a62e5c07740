"""The review benchmark (benchmarks/bench_review.py) at a small size: it builds
the queue with the real models, serves the real pages, checks the queue page
against its own select and prints its table (the full size is run by hand)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.helpers import ROOT

METRICS = ("queue page, median (ms)", "queue page, p95 (ms)", "ratio page / select (median)",
           "case page, oldest record, once (ms)", "queue page right (rows, order, count)")


def test_small_run_checks_the_page_and_prints_its_table(db_url, tmp_path):
    # The scratch database is made beside the test database, on the same server.
    env = dict(os.environ, SCOREBRIDGE_DATABASE_URL=db_url,
               SCOREBRIDGE_STATE_DIR=str(tmp_path / "state"))
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_review.py"),
                           "--cases", "300", "--decided", "60", "--repeat", "3"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr[-3000:]
    assert "setup (untimed): 300 waiting records and 60 decided" in out
    assert re.search(r"^300 waiting, 3 requests each", out, re.M), out
    table = {m: line[len(m):].split() for line in out.splitlines() for m in METRICS
             if line.startswith(m + " ")}
    assert set(table) == set(METRICS), out
    assert table["queue page right (rows, order, count)"][-1] == "pass"
    ratio = table["ratio page / select (median)"]
    assert ratio[0] == "<=" and ratio[1] == "3x" and ratio[-1] in ("pass", "FAIL")
    page, select = (float(v) for v in table["queue page, median (ms)"][1:3])
    assert page > 0 and select > 0
    # The ratio is of the medians (printed to 0.1 ms, the ratio to 0.01).
    low, high = (page - 0.05) / (select + 0.05), (page + 0.05) / max(select - 0.05, 0.01)
    assert low - 0.005 <= float(ratio[2].rstrip("x")) <= high + 0.005, out
    assert "error:" not in out
    # It drops its scratch database.
    import psycopg2

    conn = psycopg2.connect(db_url)
    with conn.cursor() as cur:
        cur.execute("select count(*) from pg_database where datname like 'sbbench_%'")
        left = cur.fetchone()[0]
    conn.close()
    assert left == 0
