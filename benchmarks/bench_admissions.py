"""Admissions benchmark: land and build ACT and SAT files against psql \\copy.

Generates N ACT-layout records and N SAT-layout records (the same people),
then in one run, on a scratch database:

- the whole path: `cli.py load act_csv`, `cli.py load sat_csv`, `cli.py build`
  (every model and test of the project, the admissions staging included);
- the baseline: `psql \\copy` of the same two files, each line into a
  one-column text table.

- the nightly build: `--nightly` new records of each format (other people)
  landed on that history and built (every model incremental where it grows
  with history), against the same files landed and built on an empty
  database.

Prints the time of each part, the ratio of the whole path to the baseline,
the rows per second of the whole path, and the slowest nodes of the build
of each build (dbt's run_results.json; `--slowest N`, 10 by default), to see where its
time goes (docs/admissions.md, "Where a build's time goes"). What follows the landing has its
own benchmarks: the matching (bench_matching.py) and the nightly cost of score
evaluation on a history (bench_evaluation.py).

    python benchmarks/bench_admissions.py [--records 200000] [--nightly 5000] [--repeat 1]
        [--slowest 10]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from common import ROOT, dbt_run_results, psql_binary, scratch_database, timed

FORMATS = ("act_csv", "sat_csv")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--slowest", type=int, default=10)
    ap.add_argument("--nightly", type=int, default=5_000,
                    help="new records of each format for the nightly build (0: none)")
    args = ap.parse_args()
    from loaders.devtools.generate import generate, generate_people

    work = Path(tempfile.mkdtemp(prefix="sb-bench-adm-"))
    try:
        people = generate_people(args.records, seed=11)
        files = {}
        for fmt in FORMATS:
            files[fmt] = work / f"{fmt}.csv"
            generate(fmt, files[fmt], args.records, seed=11, people=people)
        size_mb = sum(p.stat().st_size for p in files.values()) / 1e6
        night = {}
        if args.nightly:
            night_people = generate_people(args.nightly, seed=12)
            for fmt in FORMATS:
                night[fmt] = work / f"nightly_{fmt}.csv"
                generate(fmt, night[fmt], args.nightly, seed=12, people=night_people)
        cli = [sys.executable, str(ROOT / "cli.py"), "--quiet"]
        lands, builds, copies, ratios, peaks, nodes = [], [], [], [], [], []
        on_history, on_empty, night_nodes = [], [], {}
        for _ in range(args.repeat):
            url, drop = scratch_database()
            try:
                env = {"SCOREBRIDGE_DATABASE_URL": url, "SCOREBRIDGE_STATE_DIR": str(work / "state")}
                land = build = 0.0
                for fmt, path in files.items():
                    seconds, peak = timed(cli + ["load", fmt, str(path)], env=env, cwd=work)
                    land += seconds
                    peaks.append(peak)
                build, _ = timed(cli + ["build"], env=env, cwd=work)
                nodes = dbt_run_results()
                copy = 0.0
                for fmt, path in files.items():
                    timed([psql_binary(), url, "-q", "-c", f"create table copy_{fmt} (line text)"])
                    seconds, _ = timed([psql_binary(), url, "-q", "-c",
                                        f"\\copy copy_{fmt} from '{path}' with (format text)"])
                    copy += seconds
                if night:
                    on_history.append(nightly_build(cli, night, env, work))
                    night_nodes["on the history"] = dbt_run_results()
            finally:
                drop()
            if night:
                url, drop = scratch_database()
                try:
                    env = {"SCOREBRIDGE_DATABASE_URL": url,
                           "SCOREBRIDGE_STATE_DIR": str(work / "state-empty")}
                    on_empty.append(nightly_build(cli, night, env, work))
                    night_nodes["on an empty database"] = dbt_run_results()
                finally:
                    drop()
            lands.append(land)
            builds.append(build)
            copies.append(copy)
            ratios.append((land + build) / copy)
        rows = args.records * len(FORMATS)
        land, build, copy = (statistics.median(x) for x in (lands, builds, copies))
        print(f"files: {args.records} ACT + {args.records} SAT records, {size_mb:.0f} MB, "
              f"{args.repeat} run(s), medians")
        print(f"land (load act_csv + load sat_csv): {land:8.2f} s")
        print(f"build (dbt build, whole project):   {build:8.2f} s")
        print(f"psql \\copy of the same files:       {copy:8.2f} s")
        print(f"whole path / copy ratio: {statistics.median(ratios):.2f} "
              f"(land alone {land / copy:.2f})")
        print(f"whole path: {rows / (land + build):,.0f} rows/s; landing alone "
              f"{rows / land:,.0f} rows/s; loader peak memory {max(peaks)} MB")
        slowest("the whole path's build", nodes, args.slowest)
        if night:
            hist, empty = statistics.median(on_history), statistics.median(on_empty)
            print(f"nightly: {args.nightly} ACT + {args.nightly} SAT new records, whole build "
                  f"(dbt build):")
            print(f"  on the {rows:,} records of history: {hist:8.2f} s")
            print(f"  on an empty database:              {empty:8.2f} s")
            print(f"  ratio: {hist / empty:.2f}")
            for name, found in night_nodes.items():
                slowest(f"the nightly build {name}", found, args.slowest)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def nightly_build(cli, files, env, work) -> float:
    """Lands the nightly files and times the build that follows."""
    for fmt, path in files.items():
        timed(cli + ["load", fmt, str(path)], env=env, cwd=work)
    seconds, _ = timed(cli + ["build"], env=env, cwd=work)
    return seconds


def slowest(what, nodes, count) -> None:
    print(f"slowest nodes of {what} (the last run), of {len(nodes)}; their times add up "
          f"to {sum(n['execution_time'] for n in nodes):.1f} s over dbt's threads:")
    for node in sorted(nodes, key=lambda n: -n["execution_time"])[:count]:
        print(f"  {node['execution_time']:7.2f} s  {node['unique_id']}")


if __name__ == "__main__":
    main()
