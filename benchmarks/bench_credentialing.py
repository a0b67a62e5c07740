"""Credentialing benchmark: the nightly build against history.

In one run, on two scratch databases:

- history: APPLICATIONS applications and HISTORY results are landed and built
  (that full build is timed and printed as the full-refresh time); then the
  nightly file of NIGHTLY results is landed and `build` is timed;
- empty history: only the nightly file (and the applications it answers) is
  landed and `build` is timed.

Prints both nightly build times and their ratio (target <= 3: the nightly
cost should grow with the day's data, not with the history).

    python benchmarks/bench_credentialing.py [--history 2000000]
        [--applications 500000] [--nightly 10000] [--slowest 0]

--slowest N also prints the N slowest dbt nodes of the nightly build on the
history (from dbt's run_results.json), to see where its time goes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from common import ROOT, dbt_run_results, scratch_database, timed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--history", type=int, default=2_000_000)
    ap.add_argument("--applications", type=int, default=500_000)
    ap.add_argument("--nightly", type=int, default=10_000)
    ap.add_argument("--slowest", type=int, default=0)
    args = ap.parse_args()
    from loaders.devtools.generate import generate, generate_people

    work = Path(tempfile.mkdtemp(prefix="sb-bench-cred-"))
    try:
        # The nightly file answers applications of people the history never saw.
        people = generate_people(args.applications + args.nightly, seed=21)
        old, new = people[:args.applications], people[args.applications:]
        files = {
            "applications": generate("applications", work / "applications.csv",
                                     len(people), seed=21, people=people),
            "history": generate("prometric_results", work / "RESULTS_HISTORY.csv",
                                args.history, seed=21, people=old),
            "nightly": generate("prometric_results", work / "RESULTS_NIGHTLY.csv",
                                args.nightly, seed=22, people=new),
            "nightly_applications": generate("applications", work / "applications_new.csv",
                                             len(new), seed=21, people=new),
        }
        cli = [sys.executable, str(ROOT / "cli.py"), "--quiet"]

        def land(env: dict, fmt: str, key: str) -> None:
            timed(cli + ["load", fmt, str(files[key])], env=env, cwd=work)

        def build(env: dict) -> float:
            return timed(cli + ["build"], env=env, cwd=work)[0]

        url, drop = scratch_database()
        try:
            env = {"SCOREBRIDGE_DATABASE_URL": url, "SCOREBRIDGE_STATE_DIR": str(work / "a")}
            land(env, "applications", "applications")
            land(env, "prometric_results", "history")
            full = build(env)
            land(env, "prometric_results", "nightly")
            with_history = build(env)
            nodes = dbt_run_results()
            slowest = sorted(nodes, key=lambda n: -n["execution_time"])[:args.slowest]
        finally:
            drop()
        url, drop = scratch_database()
        try:
            env = {"SCOREBRIDGE_DATABASE_URL": url, "SCOREBRIDGE_STATE_DIR": str(work / "b")}
            land(env, "applications", "nightly_applications")
            land(env, "prometric_results", "nightly")
            build(env)  # seeds and first creation, as the history side had
            empty = build(env)
        finally:
            drop()
        print(f"history: {args.history:,} results, {len(people):,} applications; "
              f"nightly file: {args.nightly:,} results")
        print(f"full build of the history:            {full:8.2f} s")
        print(f"nightly build on the history:         {with_history:8.2f} s")
        print(f"same build, empty history:            {empty:8.2f} s")
        print(f"nightly ratio (history / empty): {with_history / empty:.2f} (target <= 3)")
        if slowest:
            print("slowest nodes of the nightly build on the history:")
        for node in slowest:
            print(f"  {node['execution_time']:7.2f} s  {node['unique_id']}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
