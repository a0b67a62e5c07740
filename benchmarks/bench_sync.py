"""Two-way learner sync benchmark (issue 16): the build of the sync models
against `psql \\copy` of the extracts, the size of the change sets, and a
second run with nothing changed against the first.

The eight extracts of the two learner systems (LEARNERS learners per side
with their officers, organisations and qualifications, a share DIFFER of the
compared fields differing; loaders/devtools/generate.py) are landed with the
real `cli.py --config CFG load` on a scratch database (timed and printed, not
in any ratio: landing has its own benchmark). CFG, written in the scratch
folder, enables the sync with pushes and pulls and every switch on (SYNC).
dbt's project parse is warmed untimed. (Landing analyzes each raw table it
loads: the sync models are views over raw, and before that, without
statistics, Postgres planned nested loops over whole tables, a build of
minutes at 2,000 learners.) Then, on that database:

- first build: `cli.py --quiet --config CFG build --select +path:models/marts/sync`
  (the staging, intermediate and sync marts with their tests, and the file
  manifest and export-item staging they read); the change sets are counted
  (mart_sync_differences by action, mart_sync_creates, mart_sync_conflicts,
  outbound_sync_to_b and outbound_sync_to_a) and written with
  `export sync --to b` and `--to a` (timed, file sizes);
- second build, nothing changed: the same build again (three times, the
  median); its time against the first's (target 0.3x or less). The sync
  marts must not be rewritten: their row count, newest inputs fingerprint
  and the (xmin, ctid) of every row are
  the same before and after, and dbt reports 0 rows affected for each;
- redelivered: the same eight files are loaded again (custody records them
  as duplicates) and the same build runs again; timed and checked the same
  way, reported (a rewrite here is printed, not an error);
- dbt's start: the same command with a selection that matches no node
  (`build --select path:models/marts/sync/no_such_model`), run three times,
  the median: what any `build` costs before its first node (the CLI and
  dbt's import, the adapter, the project's manifest, run_results.json and
  manifest.json written). A nightly `run` pays it once for the whole
  project, so the sync models' own time is a build's time minus it; the
  target (0.3x) is read on that time, and the wall ratio is printed too;
- copy: `psql \\copy` of the eight extracts into eight text tables of a fresh
  scratch database (one psql, eight -c): the first build against it (no
  target, printed).

Prints the times, the ratios, the slowest dbt nodes of the first build (from
dbt's run_results.json) and exits 1 when the first build found no difference
or the second build wrote rows (a missed target is printed, not an error).
Scratch databases and folders are removed at the end.

    python benchmarks/bench_sync.py [--learners 200000] [--differ 0.05] [--seed 16]
        [--slowest 10]

Develop with --learners 20000 (about a minute).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, dbt_run_results, psql_binary, query, scratch_database, timed

SELECT = "+path:models/marts/sync +path:models/intermediate/sync"
MARTS = ("mart_sync_differences", "mart_sync_creates", "mart_sync_conflicts")
OUTBOUND = ("outbound_sync_to_b", "outbound_sync_to_a")
TARGET = 0.3
SYNC = {"enabled": True, "learner_mode": "push", "officer_mode": "pull",
        "organisation_mode": "push", "qualification_dates_mode": "push",
        "update_gender": True, "update_ethnicity": True, "send_disability": True,
        "student_id_from_lrn": True, "risk_from_coach": True,
        "push_employer_changes": True, "push_assessor_changes": True}


def write_config(work: Path) -> Path:
    import yaml

    path = work / "scorebridge.yml"
    path.write_text(yaml.safe_dump({"archive": str(work / "archive"), "sources": [],
                                    "sync": SYNC}, sort_keys=False))
    return path


def land(cli: list[str], files: dict[str, Path], env: dict, work: Path) -> float:
    total = 0.0
    for fmt, path in files.items():
        seconds, _ = timed(cli + ["load", fmt, str(path)], env=env, cwd=work)
        total += seconds
    return total


def copy_baseline(files: dict[str, Path]) -> float:
    from loaders.devtools.generate import SYNC_COLUMNS

    url, drop = scratch_database()
    try:
        create = "; ".join(f"create table {fmt} ({', '.join(c + ' text' for c in cols)})"
                           for fmt, cols in SYNC_COLUMNS.items())
        timed([psql_binary(), url, "-q", "-c", create])
        args = [psql_binary(), url, "-q"]
        for fmt, path in files.items():
            args += ["-c", f"\\copy {fmt} from '{path}' with (format csv, header)"]
        seconds, _ = timed(args)
    finally:
        drop()
    return seconds


def mart_state(url: str) -> dict[str, tuple]:
    """Per sync mart: rows, newest inputs fingerprint, and a hash of every row's
    (xmin, ctid): a row deleted and written again, even the same, changes it."""
    return {m: query(url, f"select count(*), max(inputs_fingerprint), md5(coalesce(string_agg("
                          f"xmin::text || ctid::text, ',' order by ctid), '')) "
                          f"from marts.{m}")[0] for m in MARTS}


def rows_affected(nodes: list[dict]) -> dict[str, int | None]:
    out = {}
    for node in nodes:
        name = node["unique_id"].rsplit(".", 1)[-1]
        if node["unique_id"].startswith("model.") and name in MARTS:
            out[name] = (node.get("adapter_response") or {}).get("rows_affected")
    return out


def node_seconds(nodes: list[dict]) -> float:
    return sum(n["execution_time"] for n in nodes)


def unchanged(before: dict, after: dict, affected: dict) -> list[str]:
    """What shows a sync mart was written by a build that should not write."""
    problems = []
    for mart in MARTS:
        b, a = before[mart], after[mart]
        if b[:2] != a[:2]:
            problems.append(f"{mart}: {b[0]:,} rows -> {a[0]:,}, fingerprint "
                            f"{'changed' if b[1] != a[1] else 'same'}")
        elif b[2] != a[2]:
            problems.append(f"{mart}: rows rewritten (same count and fingerprint)")
        if affected.get(mart) not in (0, None):
            problems.append(f"{mart}: dbt reports {affected[mart]:,} rows affected")
        if mart not in affected:
            problems.append(f"{mart}: not in the build's run_results")
    return problems


def change_sets(url: str) -> list[tuple[str, int]]:
    out = [(f"mart_sync_differences {action}", n) for action, n in query(
        url, "select sync_action, count(*) from marts.mart_sync_differences group by sync_action "
             "order by sync_action")]
    out += [(m, query(url, f"select count(*) from marts.{m}")[0][0])
            for m in MARTS[1:] + OUTBOUND]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, default=200_000)
    ap.add_argument("--differ", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--slowest", type=int, default=10)
    args = ap.parse_args()

    from loaders.devtools.generate import generate_learner_systems

    work = Path(tempfile.mkdtemp(prefix="sb-bench-sync-"))
    url, drop = scratch_database()
    try:
        started = time.perf_counter()
        files = generate_learner_systems(work / "extracts", args.learners, seed=args.seed,
                                         differ=args.differ)
        size_mb = sum(p.stat().st_size for p in files.values()) / 1e6
        lines = {fmt: sum(1 for _ in path.open(encoding="utf-8")) - 1
                 for fmt, path in files.items()}
        print(f"generated {size_mb:.0f} MB of extracts in {time.perf_counter() - started:.1f} s:"
              f" " + ", ".join(f"{fmt} {n:,}" for fmt, n in lines.items()))
        cfg = write_config(work)
        cli = [sys.executable, str(ROOT / "cli.py"), "--quiet", "--config", str(cfg)]
        env = {"SCOREBRIDGE_DATABASE_URL": url, "SCOREBRIDGE_STATE_DIR": str(work / "state")}
        land_s = land(cli, files, env, work)
        # dbt parses the project once with the settings' vars (partial parsing
        # afterwards, as on any machine that ran a command before): untimed.
        timed(cli + ["dbt", "parse"], env=env, cwd=work)
        build = cli + ["build", "--select", SELECT]

        first, _ = timed(build, env=env, cwd=work)
        first_nodes = dbt_run_results()
        sets = change_sets(url)
        exports = {}
        for side in ("b", "a"):
            out = work / f"exports_{side}"
            seconds, _ = timed(cli + ["export", "sync", "--to", side, "--out", str(out)],
                               env=env, cwd=work)
            mb = sum(p.stat().st_size for p in out.glob("*.csv")) / 1e6 if out.exists() else 0
            exports[side] = (seconds, mb)

        before = mart_state(url)
        second, _ = timed(build, env=env, cwd=work)
        after = mart_state(url)
        second_nodes = dbt_run_results()
        second_affected = rows_affected(second_nodes)
        second_problems = unchanged(before, after, second_affected)
        # Twice more, nothing changed still: the median of three, as for dbt's start.
        second = statistics.median([second] + [timed(build, env=env, cwd=work)[0]
                                               for _ in range(2)])

        again_land = land(cli, files, env, work)
        duplicates = query(url, "select count(*) from raw.file_manifest "
                                "where duplicate_of is not null")[0][0]
        redelivered, _ = timed(build, env=env, cwd=work)
        again = mart_state(url)
        redelivered_problems = unchanged(after, again, rows_affected(dbt_run_results()))

        empty = cli + ["build", "--select", "path:models/marts/sync/no_such_model"]
        start_s = statistics.median(timed(empty, env=env, cwd=work)[0] for _ in range(3))
        copy_s = copy_baseline(files)

        print(f"{args.learners:,} learners per side, differ {args.differ:g}, seed {args.seed};"
              f" landed in {land_s:.1f} s (not in the ratios)")
        print(f"\nfirst build {first:.1f} s vs psql \\copy of the extracts {copy_s:.2f} s: "
              f"ratio {first / copy_s:.1f}x (no target)")
        print("change sets of the first build:")
        for name, n in sets:
            print(f"  {name:<34}{n:>10,}")
        for side, (seconds, mb) in exports.items():
            print(f"  export sync --to {side}: {seconds:.1f} s, {mb:.1f} MB")
        own_first, own_second = first - start_s, second - start_s
        ratio = own_second / own_first
        verdict = "pass" if ratio <= TARGET else "MISSED"
        print(f"\ndbt's start (a build selecting no node, median of 3): {start_s:.1f} s")
        print(f"second build, nothing changed: {second:.1f} s vs first {first:.1f} s "
              f"(wall ratio {second / first:.2f}x); the sync models' own time, dbt's start "
              f"taken off: {own_second:.1f} s vs {own_first:.1f} s: ratio {ratio:.2f}x "
              f"(target <= {TARGET:g}x): {verdict}; sync marts "
              + ("untouched" if not second_problems else "WRITTEN"))
        for p in second_problems:
            print(f"  {p}")
        print("  rows affected: " + ", ".join(f"{m} {second_affected.get(m)}" for m in MARTS)
              + f"; its nodes' times add up to {node_seconds(second_nodes):.1f} s (the first "
              f"build's {node_seconds(first_nodes):.1f} s; dbt runs several at once)")
        print("  its slowest nodes: " + ", ".join(
            f"{n['unique_id'].split('.')[2]} {n['execution_time']:.2f} s"
            for n in sorted(second_nodes, key=lambda n: -n["execution_time"])[:5]))
        print(f"redelivered (the eight files loaded again in {again_land:.1f} s, {duplicates} "
              f"recorded as duplicates): build {redelivered:.1f} s, own time ratio "
              f"{(redelivered - start_s) / own_first:.2f}x of the first's; sync marts "
              + ("untouched" if not redelivered_problems else "WRITTEN"))
        for p in redelivered_problems:
            print(f"  {p}")

        slowest = sorted(first_nodes, key=lambda n: -n["execution_time"])[:args.slowest]
        print(f"\nslowest nodes of the first build ({len(first_nodes)} nodes):")
        for node in slowest:
            print(f"  {node['execution_time']:7.2f} s  {node['unique_id']}")

        failed = []
        if not sum(n for name, n in sets if name.startswith("mart_sync_differences")):
            failed.append("the first build found no difference")
        if second_problems:
            failed.append("the second build, nothing changed, wrote the sync marts")
        for f in failed:
            print(f"error: {f}", file=sys.stderr)
        return 1 if failed else 0
    finally:
        drop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
