"""Landing benchmark: `load` of a large fixed-width file against psql \\copy.

Generates N records of 1145-character PreACT fixed-width lines, loads them
with `python cli.py load preact_fixed`, and in the same run copies the same
file with `psql \\copy` into a one-column text table. Prints the time ratio
(target <= 2.0) and the loader's peak memory at two file sizes (target under
300 MB and flat as the file grows).

    python benchmarks/bench_landing.py [--records 1000000] [--small 250000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from common import ROOT, psql_binary, scratch_database, timed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--small", type=int, default=250_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    from loaders.devtools.generate import generate

    work = Path(tempfile.mkdtemp(prefix="sb-bench-"))
    results = {}
    for n in (args.small, args.records):
        path = work / f"preact_{n}.txt"
        generate("preact_fixed", path, n, seed=7)
        os.sync()  # the new file's write-back would otherwise slow the first pair
        size_mb = path.stat().st_size / 1e6
        ratios, loads, copies, mems = [], [], [], []
        for _ in range(args.repeat):
            # Each repeat is a new installation: a new database, and a new
            # folder for the archive and state (an archive left by the last
            # repeat would make custody compare the file with its old copy).
            url, drop = scratch_database()
            run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=work))
            try:
                env = {"SCOREBRIDGE_DATABASE_URL": url,
                       "SCOREBRIDGE_STATE_DIR": str(run_dir / "state")}
                load_s, load_mb = timed([sys.executable, str(ROOT / "cli.py"), "--quiet",
                                         "load", "preact_fixed", str(path)], env=env,
                                        cwd=run_dir)
                timed([psql_binary(), url, "-q", "-c", "create table copy_baseline (line text)"])
                copy_s, _ = timed([psql_binary(), url, "-q", "-c",
                                   f"\\copy copy_baseline from '{path}' with (format text)"])
            finally:
                drop()
                shutil.rmtree(run_dir, ignore_errors=True)
            ratios.append(load_s / copy_s)
            loads.append(load_s)
            copies.append(copy_s)
            mems.append(load_mb)
        results[n] = (size_mb, statistics.median(loads), statistics.median(copies),
                      statistics.median(ratios), max(mems))
    print(f"{'records':>10} {'MB':>8} {'load s':>8} {'copy s':>8} {'ratio':>6} {'peak MB':>8}")
    for n, (mb, load_s, copy_s, ratio, peak) in results.items():
        print(f"{n:>10} {mb:>8.0f} {load_s:>8.2f} {copy_s:>8.2f} {ratio:>6.2f} {peak:>8}")
    big = results[args.records]
    small = results[args.small]
    print(f"landing/copy time ratio at {args.records} records: {big[3]:.2f} (target <= 2.0)")
    print(f"loader peak memory: {small[4]} MB at {args.small} records, {big[4]} MB at "
          f"{args.records} records (target < 300 MB, flat)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
