"""The evaluation benchmark (benchmarks/bench_evaluation.py) at a small size: the
real setup build, real CLI loads of the indicators and real evaluation builds
on a history and on an empty one; it prints both times, their ratio and the
marts' row counts (the full size is run by hand)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.helpers import ROOT

MARTS = ("mart_best_scores", "mart_superscores", "mart_superscore_differences",
         "mart_purpose_codes", "mart_purpose_code_history", "mart_test_date_changes",
         "mart_exemptions", "mart_exemption_history", "outbound_scores")


def test_small_run_times_both_cases_and_counts_the_marts(db_url, tmp_path):
    # The scratch databases are made beside the test database, on the same server.
    env = dict(os.environ, SCOREBRIDGE_DATABASE_URL=db_url,
               SCOREBRIDGE_STATE_DIR=str(tmp_path / "state"))
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_evaluation.py"),
                           "--history", "20000", "--new", "1000", "--slowest", "5"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr[-3000:]
    history = re.search(r"^history: ([\d,]+) scores evaluated, then ([\d,]+) new scores", out, re.M)
    assert history, out
    assert 20_000 <= int(history[1].replace(",", "")) < 20_020
    assert 1_000 <= int(history[2].replace(",", "")) < 1_020
    times = {m[1]: float(m[2]) for m in re.finditer(
        r"^nightly build on (the history|an empty history) \(s\)\s+-\s+([\d.]+)", out, re.M)}
    assert set(times) == {"the history", "an empty history"}, out
    assert all(t > 0 for t in times.values())
    ratio = re.search(r"^ratio history / empty\s+<= 2x\s+([\d.]+)x\s+(pass|FAIL)$", out, re.M)
    assert ratio, out
    # The ratio is of the two times as printed (to 0.1 s; the ratio to 0.01).
    h, e = times["the history"], times["an empty history"]
    assert (h - 0.05) / (e + 0.05) - 0.005 <= float(ratio[1]) <= (h + 0.05) / (e - 0.05) + 0.005
    assert ratio[2] == ("pass" if float(ratio[1]) <= 2 else "FAIL")
    slowest = re.findall(r"^\s+[\d.]+ s  (model|test|seed)\.scorebridge\.\S+$", out, re.M)
    assert len(slowest) == 5, out
    rows = {m[1]: (int(m[2].replace(",", "")), int(m[3].replace(",", ""))) for m in re.finditer(
        r"^  (\w+)\s+([\d,]+)\s+([\d,]+)$", out, re.M)}
    assert set(MARTS) <= set(rows), out
    for mart in MARTS:
        in_history, in_empty = rows[mart]
        assert in_history > in_empty > 0, (mart, rows[mart])
    assert "error:" not in out
    # It drops its scratch databases, the template too.
    import psycopg2

    conn = psycopg2.connect(db_url)
    with conn.cursor() as cur:
        cur.execute("select count(*) from pg_database where datname like 'sbbench_%'")
        left = cur.fetchone()[0]
    conn.close()
    assert left == 0
