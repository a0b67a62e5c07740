"""Certification migration benchmark (issue 15): `migrate certifications` against
`psql \\copy` of the four legacy extracts, its peak memory at two sizes, and a
run killed at 50% plus its resumed run against the uninterrupted run.

For each size (SMALL and REGISTRATIONS registrations; 500 programs and 5,000
components by default) the four extracts are generated for one catalogue
(loaders/devtools/generate.py) and landed with the real `cli.py load` on a
scratch database (timed and printed, not part of the ratio: landing has its
own benchmark), which becomes the template of each case:

- copy: `psql \\copy` of the four extracts into four text tables of a fresh
  database (the baseline: the same bytes into the database, no rules);
- uninterrupted: `cli.py --quiet migrate certifications` on a copy of the
  template (the build of the certification models, the check, publishing in
  batches, the swap; dbt's project parse is warmed untimed before the first
  case, as on a machine that ran any command before); wall time and the
  peak resident memory of its
  processes (the runner and its dbt child; wait4's ru_maxrss);
- killed + resumed (largest size only): on another copy, the same command is
  killed (SIGKILL, its whole process group) once ops.cert_migrations shows
  half the batches published (the progress bar at 50%), then run again to
  the end; the two wall times are added. Then every published table of both
  cases is hashed (md5 of the rows in key order) and must be identical.

Prints the times, the ratios against the targets (migration at most 5x the
copy; peak memory under 500 MB and flat; killed + resumed at most 1.2x the
uninterrupted run) and exits 1 when the tables differ or a case published no
enrollment (a miss of a target is printed, not an error).

    python benchmarks/bench_certification.py [--registrations 2000000]
        [--small 500000] [--programs 500] [--components 5000] [--batch-size 100000]

Develop with --registrations 200000 --small 50000 (about two minutes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from common import ROOT, database_like, psql_binary, query, scratch_database, timed

FORMATS = ("legacy_cert_programs", "legacy_cert_components", "legacy_cert_program_components",
           "legacy_cert_registrations")
COLUMNS = {
    "legacy_cert_programs": "program_code, title, description, established, industry_code, "
                            "uf_1, uf_2, uf_3, uf_4, coordinators, notes, prerequisites, "
                            "is_active",
    "legacy_cert_components": "component_code, title, description, address, prerequisites, "
                              "instructors, credits",
    "legacy_cert_program_components": "program_code, component_code, required, sequence",
    "legacy_cert_registrations": "seqn, student_id, program_code, component_code, "
                                 "registered_on, status, completed_on, grade, credits",
}
TABLES = {"programs": "program_code", "components": "component_code",
          "program_requirements": "program_code, component_code", "enrollments": "seqn"}
RATIO_TARGET, MEMORY_TARGET, RESUME_TARGET = 5.0, 500, 1.2


def table_hashes(url: str) -> dict:
    return {t: query(url, f"select count(*), md5(coalesce(string_agg(md5(r::text), '' "
                          f"order by {k}), '')) from certification.{t} as r")[0]
            for t, k in TABLES.items()}


def generate_files(folder: Path, registrations: int, programs: int, components: int) -> dict:
    from loaders.devtools.generate import generate, generate_cert_catalogue

    catalogue = generate_cert_catalogue(programs, components, seed=15)
    counts = {"legacy_cert_programs": programs, "legacy_cert_components": components,
              "legacy_cert_program_components": programs * 10,
              "legacy_cert_registrations": registrations}
    files = {fmt: generate(fmt, folder / f"{fmt}.csv", n, catalogue=catalogue, seed=15)
             for fmt, n in counts.items()}
    os.sync()
    return files


def land(files: dict, url: str, run_dir: Path) -> float:
    env = {"SCOREBRIDGE_DATABASE_URL": url, "SCOREBRIDGE_STATE_DIR": str(run_dir / "state")}
    total = 0.0
    for fmt, path in files.items():
        seconds, _ = timed([sys.executable, str(ROOT / "cli.py"), "--quiet", "load", fmt,
                            str(path)], env=env, cwd=run_dir)
        total += seconds
    return total


def copy_baseline(files: dict) -> float:
    url, drop = scratch_database()
    try:
        create = "; ".join(f"create table {fmt} ({', '.join(c + ' text' for c in cols.split(', '))})"
                           for fmt, cols in COLUMNS.items())
        timed([psql_binary(), url, "-q", "-c", create])
        args = [psql_binary(), url, "-q"]
        for fmt, path in files.items():
            args += ["-c", f"\\copy {fmt} from '{path}' with (format csv, header)"]
        seconds, _ = timed(args)
    finally:
        drop()
    return seconds


def migrate_cmd(batch_size: int) -> list[str]:
    return [sys.executable, str(ROOT / "cli.py"), "--quiet", "migrate", "certifications",
            "--batch-size", str(batch_size)]


def killed_and_resumed(url: str, run_dir: Path, batch_size: int) -> tuple[float, float, tuple]:
    env = dict(os.environ, SCOREBRIDGE_DATABASE_URL=url,
               SCOREBRIDGE_STATE_DIR=str(run_dir / "state"))
    import psycopg2

    start = time.perf_counter()
    proc = subprocess.Popen(migrate_cmd(batch_size), env=env, cwd=run_dir,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    at = None
    # One connection, a look every 0.1 s: the watching must not slow the run.
    watch = psycopg2.connect(url)
    watch.autocommit = True
    try:
        while proc.poll() is None:
            with watch.cursor() as cur:
                cur.execute("select to_regclass('ops.cert_migrations') is not null")
                rows = []
                if cur.fetchone()[0]:
                    cur.execute("select phase, batches_done, batches_total from "
                                "ops.cert_migrations order by migration_id desc limit 1")
                    rows = cur.fetchall()
            if rows and rows[0][0] == "publishing" and rows[0][2] and rows[0][1] * 2 >= rows[0][2]:
                os.killpg(proc.pid, signal.SIGKILL)
                at = rows[0]
                break
            time.sleep(0.1)
    finally:
        watch.close()
    proc.wait()
    first = time.perf_counter() - start
    if at is None:
        raise SystemExit("the migration ended before half its batches were published: "
                         "use more registrations or a smaller --batch-size")
    resumed, _ = timed(migrate_cmd(batch_size), env={"SCOREBRIDGE_DATABASE_URL": url,
                                                     "SCOREBRIDGE_STATE_DIR":
                                                     str(run_dir / "state")}, cwd=run_dir)
    return first, resumed, at


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--registrations", type=int, default=2_000_000)
    ap.add_argument("--small", type=int, default=500_000)
    ap.add_argument("--programs", type=int, default=500)
    ap.add_argument("--components", type=int, default=5_000)
    ap.add_argument("--batch-size", type=int, default=100_000)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sb-bench-cert-"))
    # dbt parses the project once (partial parsing afterwards, as on any
    # machine that ran a command before): not part of any timed case.
    timed([sys.executable, str(ROOT / "cli.py"), "--quiet", "dbt", "parse"], cwd=work)
    failed = False
    peaks = {}
    try:
        for n in (args.small, args.registrations):
            folder = work / f"n{n}"
            folder.mkdir()
            files = generate_files(folder, n, args.programs, args.components)
            size_mb = sum(p.stat().st_size for p in files.values()) / 1e6
            template, drop_template = scratch_database()
            template_name = urlsplit(template).path.lstrip("/")
            try:
                land_s = land(files, template, folder)
                copy_s = copy_baseline(files)
                url, drop = database_like(template_name)
                try:
                    mig_s, mig_mb = timed(migrate_cmd(args.batch_size),
                                          env={"SCOREBRIDGE_DATABASE_URL": url,
                                               "SCOREBRIDGE_STATE_DIR": str(folder / "state")},
                                          cwd=folder)
                    hashes = table_hashes(url)
                finally:
                    drop()
                peaks[n] = mig_mb
                print(f"{n:,} registrations ({size_mb:.0f} MB of extracts): land {land_s:.1f} s "
                      f"(not in the ratio); migrate {mig_s:.1f} s vs copy {copy_s:.2f} s: ratio "
                      f"{mig_s / copy_s:.2f} (target <= {RATIO_TARGET}); migration peak "
                      f"{mig_mb} MB; {hashes['enrollments'][0]:,} enrollments published")
                if hashes["enrollments"][0] == 0:
                    print("no enrollment published", file=sys.stderr)
                    failed = True
                if n != args.registrations:
                    continue
                url, drop = database_like(template_name)
                try:
                    first, resumed, at = killed_and_resumed(url, folder, args.batch_size)
                    same = table_hashes(url) == hashes
                finally:
                    drop()
                total = first + resumed
                print(f"killed at {at[1]} of {at[2]} batches after {first:.1f} s, resumed in "
                      f"{resumed:.1f} s: {total:.1f} s vs uninterrupted {mig_s:.1f} s: ratio "
                      f"{total / mig_s:.2f} (target <= {RESUME_TARGET}); tables "
                      + ("identical" if same else "DIFFERENT"))
                failed |= not same
            finally:
                drop_template()
        small, large = peaks[args.small], peaks[args.registrations]
        print(f"peak memory {small} MB at {args.small:,}, {large} MB at "
              f"{args.registrations:,} (target < {MEMORY_TARGET} MB and flat)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
