"""Start-up benchmark: `python cli.py --help` against `python -c pass`.

Target: under 0.5 s more. dbt, dlt and paramiko are imported only by the
verbs that need them.

    python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys

from common import ROOT, timed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    help_cmd = [sys.executable, str(ROOT / "cli.py"), "--help"]
    pass_cmd = [sys.executable, "-c", "pass"]
    timed(help_cmd)
    helps, passes = [], []
    for _ in range(args.runs):  # interleaved, so drift hits both alike
        helps.append(timed(help_cmd)[0])
        passes.append(timed(pass_cmd)[0])
    h, p = statistics.median(helps), statistics.median(passes)
    print(f"python cli.py --help: median {h:.3f} s; python -c pass: median {p:.3f} s")
    print(f"start-up overhead: {h - p:.3f} s (target < 0.5 s); ratio {h / p:.1f}x")


if __name__ == "__main__":
    main()
