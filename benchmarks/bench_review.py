"""Review pages benchmark: the queue page against a plain select of its rows.

On one scratch database:

- the schema made by the real code (`ensure_schema`: ops.match_decisions)
  and `marts.mart_match_review_queue` built by the real dbt models on the
  empty database (`cli.py dbt build --select +mart_match_review_queue`,
  data tests left out), so the table has the shape the models give it;
- that table filled with CASES synthetic waiting records (1-5 candidates
  each: names, scores, every comparison's level, weight and agreement word
  as seeds/matching/matching_comparison_levels.csv has them) and DECIDED more
  records decided in ops.match_decisions, some among the oldest (the page
  must leave them out);
- the real server (`cli.py review --port 0`) in a child process, signed in
  with its one-time link; after a warm-up, `GET /queue` REPEAT times: median
  and p95 wall time per request;
- the baseline in the same run: a plain select of the rows the page shows
  (the 100 oldest waiting records with the page's columns) and the waiting
  count, through psycopg2 on an open connection, REPEAT times;
- `GET /case/<the oldest record>` once, as information.

The page must be right, not only fast: 100 rows (`<tr data-record=`), the
same records in the same order as the select, and the waiting count
(`data-count` of `id="waiting"`) equal to the select's. Otherwise the
benchmark exits non-zero. The ratio's pass/fail is a figure, not an exit
status: at a few hundred cases the HTTP round trip and the rendering alone
are more than 3x the select.

    python benchmarks/bench_review.py [--cases 10000] [--decided 300]
        [--repeat 30] [--seed 1] [--keep]

--keep leaves the scratch database (its URL is printed).
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import math
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import ROOT, scratch_database, timed

QUEUE = "marts.mart_match_review_queue"
SETUP_SELECT = "+mart_match_review_queue"
LEVELS_SEED = ROOT / "seeds" / "matching" / "matching_comparison_levels.csv"
TARGET_RATIO = 3.0
PAGE_ROWS = 100
FILES = 20
# The rows the queue page shows, as a person would write them by hand.
BASELINE_ROWS = f"""
select
    q.record_id,
    min(q.waiting_since) as waiting_since,
    min(q.file_name) as file_name,
    min(q.line_number) as line_number,
    min(q.reason) as reason,
    max(q.best_score) as best_score,
    count(q.candidate_person_id) as candidates,
    min(q.record_first_name) as first_name,
    min(q.record_last_name) as last_name
from {QUEUE} as q
left join ops.match_decisions as d on q.record_id = d.record_id
where d.record_id is null
group by q.record_id
order by min(q.waiting_since), q.record_id
limit {PAGE_ROWS}
"""
BASELINE_COUNT = f"""
select count(distinct q.record_id), min(q.waiting_since)
from {QUEUE} as q
left join ops.match_decisions as d on q.record_id = d.record_id
where d.record_id is null
"""

FIRST_NAMES = ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
               "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph",
               "Jessica", "Thomas", "Sarah", "Daniel", "Karen", "Sofia", "Arina", "Daria",
               "Mateo", "Aaliyah", "Nguyen", "Priya", "Chloé", "José", "Siobhan")
LAST_NAMES = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
              "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
              "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
              "White", "Harris", "O'Brien", "Van der Berg", "Garcia-Lopez", "Nguyen", "Kowalski")
REASONS = ("score between the review and automatic thresholds", "runner-up within the margin",
           "several candidates above the automatic threshold",
           "vendor id known for several persons")
CITIES = (("Springfield", "IL", "62701"), ("Portland", "OR", "97201"), ("Austin", "TX", "78701"),
          ("Albany", "NY", "12207"), ("Madison", "WI", "53703"), ("Boise", "ID", "83702"))


def comparison_levels() -> dict[str, list[tuple[str, str, float]]]:
    """comparison -> [(level, agreement word, weight)] from the seed; the weight
    is log2(m/u), as the models estimate it (missing weighs nothing)."""
    out: dict[str, list[tuple[str, str, float]]] = {}
    with open(LEVELS_SEED, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            m, u = float(row["m_probability"]), float(row["u_probability"])
            weight = 0.0 if row["agreement"] == "missing" else math.log2(m / u)
            out.setdefault(row["comparison"], []).append(
                (row["level"], row["agreement"], round(weight, 4)))
    return out


def person(rng: random.Random) -> dict:
    city, state, zip_code = rng.choice(CITIES)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "first_name": first, "middle_name": rng.choice(("", "A", "Lee", "Marie")) or None,
        "last_name": last,
        "birth_date": (datetime(2007, 1, 1) + timedelta(days=rng.randrange(1100))).date(),
        "gender": rng.choice("FM"),
        "email": f"{first}.{last}{rng.randrange(100)}@example.org".lower().replace(" ", ""),
        "address": f"{rng.randrange(1, 9999)} Main St, {city}, {state} {zip_code}",
        "ssn_last4": f"{rng.randrange(10000):04d}",
    }


def queue_rows(cases: int, decided: int, columns: set[str], seed: int):
    """The rows of the review queue (one per record and candidate) and the
    decided records' ids with a candidate each (None: decided new)."""
    rng = random.Random(seed)
    levels = comparison_levels()
    comparisons = [c for c in levels if f"{c}_level" in columns]
    total = cases + decided
    # A third of the decided records among the oldest (where the first page
    # would show them if it forgot the decisions), the rest anywhere.
    oldest = range(min(total, PAGE_ROWS * 2))
    chosen = set(rng.sample(oldest, min(decided // 3, len(oldest))))
    while len(chosen) < decided:
        chosen.add(rng.randrange(total))
    start = datetime.now(UTC) - timedelta(days=60)
    per_file = -(-total // FILES)
    rows, decisions, position = [], [], 0
    for i in range(total):
        file_id, line = i // per_file + 1, i % per_file + 1
        record_id = f"{file_id}:{line}"
        waiting_since = start + timedelta(minutes=7 * (i // 3))  # some share a minute
        rec = person(rng)
        n = rng.randint(1, 5)
        cands = []
        for rank in range(1, n + 1):
            cand = person(rng)
            if rank == 1 or rng.random() < 0.5:
                cand.update(last_name=rec["last_name"], birth_date=rec["birth_date"])
            picked = {c: rng.choice(levels[c]) for c in comparisons}
            score = round(sum(w for _, _, w in picked.values()), 4)
            cands.append((cand, picked, score))
        cands.sort(key=lambda c: -c[2])
        best = cands[0][2]
        reason = rng.choice(REASONS)
        if i in chosen:
            same = rng.random() < 0.6
            decisions.append((record_id, f"P{seed}-{i}-1" if same else None))
        else:
            position += 1
        for rank, (cand, picked, score) in enumerate(cands, start=1):
            values = {
                "queue_position": position, "record_id": record_id,
                "waiting_since": waiting_since, "file_name": f"SAT_{file_id}.csv",
                "line_number": line, "format_name": "sat_csv", "reason": reason,
                "best_score": best, "candidate_rank": rank,
                "candidate_person_id": f"P{seed}-{i}-{rank}", "score": score,
                "blocking_rules": "last_name_birth_date", "record_id_type": "CB",
                "record_vendor_person_id": f"CB{rng.randrange(10**8):08d}",
            }
            for field, value in rec.items():
                values[f"record_{field}"] = value
            for field, value in cand.items():
                values[f"candidate_{field}"] = value
            for c, (level, word, weight) in picked.items():
                values.update({f"{c}_level": level, f"{c}_weight": weight,
                               f"{c}_agreement": word})
            for column, word in (("agreed", "agree"), ("came_close", "close"),
                                 ("disagreed", "disagree")):
                values[column] = " ".join(c for c, (_, w, _) in picked.items() if w == word)
            rows.append(values)
    return rows, decisions


def fill(conn, cases: int, decided: int, seed: int) -> int:
    """The queue table and the decisions; the number of rows written."""
    from psycopg2.extras import execute_values

    with conn.cursor() as cur:
        cur.execute("select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = 'mart_match_review_queue' "
                    "order by ordinal_position")
        columns = [c for (c,) in cur.fetchall()]
        if not columns:
            raise SystemExit(f"{QUEUE} was not built by the setup build ({SETUP_SELECT})")
        rows, decisions = queue_rows(cases, decided, set(columns), seed)
        execute_values(cur, f"insert into {QUEUE} ({', '.join(columns)}) values %s",
                       [[r.get(c) for c in columns] for r in rows], page_size=2000)
        execute_values(
            cur, "insert into ops.match_decisions (decision, record_id, person_id, reason, "
            "decided_by, source) values %s",
            [("same_person" if p else "new_person", rid, p, "benchmark", "bench", "benchmark")
             for rid, p in decisions])
        cur.execute(f"analyze {QUEUE}")
        cur.execute("analyze ops.match_decisions")
    return len(rows)


class Server:
    """`cli.py review --port 0` in a child process; its sign-in link."""

    def __init__(self, env: dict, cwd: Path):
        full = dict(os.environ, **env, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "review",
                                      "--port", "0"], env=full, cwd=cwd, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output: list[str] = []
        self.link = self._link(timeout=120)
        parts = urllib.parse.urlsplit(self.link)
        self.base = f"{parts.scheme}://{parts.netloc}"
        self.token = urllib.parse.parse_qs(parts.query)["token"][0]
        # Keep reading its output so a full pipe never blocks it.
        threading.Thread(target=self._drain, daemon=True).start()

    def _link(self, timeout: float) -> str:
        found: list[str] = []

        def read():
            for line in self.proc.stdout:
                self.output.append(line)
                match = re.search(r"(http://\S+/login\?token=\S+)", line)
                if match:
                    found.append(match.group(1))
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if not found:
            self.stop()
            raise SystemExit("the review server printed no sign-in link:\n"
                             + "".join(self.output)[-2000:])
        return found[0]

    def _drain(self) -> None:
        for line in self.proc.stdout:
            self.output.append(line)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # as Ctrl-C: it closes its connections
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def sign_in(server: Server) -> urllib.request.OpenerDirector:
    """An opener carrying the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = urllib.parse.urlencode({"reviewer": "bench", "token": server.token}).encode()
    with opener.open(f"{server.base}/login", data=form, timeout=60) as resp:
        resp.read()
    if not any(c.name == "scorebridge_review" for c in jar):
        raise SystemExit("signing in gave no scorebridge_review cookie")
    return opener


def get(opener, url: str) -> tuple[float, str]:
    start = time.perf_counter()
    with opener.open(url, timeout=120) as resp:
        body = resp.read().decode()
        status = resp.status
    seconds = time.perf_counter() - start
    if status != 200:
        raise SystemExit(f"GET {url} answered {status}")
    return seconds, body


def baseline_once(conn) -> tuple[list, int]:
    with conn.cursor() as cur:
        cur.execute(BASELINE_ROWS)
        rows = cur.fetchall()
        cur.execute(BASELINE_COUNT)
        count, _ = cur.fetchone()
    return rows, int(count)


def summary(times: list[float]) -> tuple[float, float]:
    """(median, p95) in milliseconds."""
    ms = sorted(t * 1000 for t in times)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1] if len(ms) > 1 else ms[0]
    return statistics.median(ms), p95


def page_problems(body: str, rows: list, count: int) -> list[str]:
    """What is wrong with the queue page against the select's rows and count."""
    problems = []
    shown = re.findall(r'<tr data-record="([^"]*)"', body)
    expected = [r[0] for r in rows]
    if len(shown) != min(PAGE_ROWS, count):
        problems.append(f"the page shows {len(shown)} rows, not {min(PAGE_ROWS, count)}")
    elif shown != expected:
        first = next(i for i, (a, b) in enumerate(zip(shown, expected, strict=True)) if a != b)
        problems.append(f"row {first + 1} of the page is record {shown[first]}, the select's "
                        f"is {expected[first]}")
    match = re.search(r'id="waiting"[^>]*data-count="(\d+)"', body)
    if match is None:
        problems.append('the page has no waiting count (id="waiting" data-count)')
    elif int(match.group(1)) != count:
        problems.append(f"the page says {match.group(1)} waiting, the select {count}")
    return problems


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def report(rows: list[tuple[str, str, str, str, str]]) -> None:
    head = ("metric", "target", "model", "baseline", "pass/fail")
    lines = [head, *rows]
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    for j, row in enumerate(lines):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10_000, help="waiting records")
    ap.add_argument("--decided", type=int, default=300,
                    help="records in the queue table already decided (left out by the page)")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = ap.parse_args()
    if args.cases < 1 or args.repeat < 1 or args.decided < 0:
        ap.error("--cases and --repeat must be at least 1, --decided at least 0")
    import psycopg2

    from loaders.core.db import ensure_schema
    from loaders.core.formats import registry

    work = Path(tempfile.mkdtemp(prefix="sb-bench-review-"))
    url, drop = scratch_database()
    server = conn = None
    try:
        env = {"SCOREBRIDGE_DATABASE_URL": url, "SCOREBRIDGE_STATE_DIR": str(work / "state")}
        started = time.perf_counter()
        conn = psycopg2.connect(url)
        conn.autocommit = True  # as the project's connections are
        ensure_schema(conn, registry().values())
        build, _ = timed([sys.executable, str(ROOT / "cli.py"), "--quiet", "dbt", "build",
                          "--select", SETUP_SELECT, "--exclude-resource-type", "test",
                          "--exclude-resource-type", "unit_test"], env=env, cwd=work)
        written = fill(conn, args.cases, args.decided, args.seed)
        print(f"setup (untimed): {args.cases:,} waiting records and {args.decided:,} decided, "
              f"{written:,} queue rows; build of the empty models {build:.1f} s, "
              f"whole setup {time.perf_counter() - started:.1f} s")
        server = Server(env, work)
        opener = sign_in(server)
        queue_url = f"{server.base}/queue"
        rows, count = baseline_once(conn)
        for _ in range(3):  # warm-up: connections, templates, the table's pages in memory
            get(opener, queue_url)
            baseline_once(conn)
        page_times, body = [], ""
        base_times = []
        for _ in range(args.repeat):  # interleaved: both see the same load
            seconds, body = get(opener, queue_url)
            page_times.append(seconds)
            start = time.perf_counter()
            rows, count = baseline_once(conn)
            base_times.append(time.perf_counter() - start)
        case_seconds, case_body = get(opener, f"{server.base}/case/"
                                      f"{urllib.parse.quote(rows[0][0], safe=':')}")
        problems = page_problems(body, rows, count)
        if rows[0][0] not in case_body:
            problems.append(f"the case page of {rows[0][0]} does not name it")
        page_med, page_p95 = summary(page_times)
        base_med, base_p95 = summary(base_times)
        ratio = page_med / base_med if base_med else float("inf")
        print(f"{count:,} waiting, {args.repeat} requests each after 3 warm-ups; {load()}")
        report([
            ("queue page, median (ms)", "-", f"{page_med:.1f}", f"{base_med:.1f}", "-"),
            ("queue page, p95 (ms)", "-", f"{page_p95:.1f}", f"{base_p95:.1f}", "-"),
            ("ratio page / select (median)", f"<= {TARGET_RATIO:g}x", f"{ratio:.2f}x", "1.00x",
             "pass" if ratio <= TARGET_RATIO else "FAIL"),
            ("case page, oldest record, once (ms)", "-", f"{case_seconds * 1000:.1f}", "-", "-"),
            ("queue page right (rows, order, count)", "yes", "no" if problems else "yes", "-",
             "FAIL" if problems else "pass"),
        ])
        for problem in problems:
            print(f"error: {problem}")
        if args.keep:
            parts = urllib.parse.urlsplit(url)
            shown = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
            print(f"scratch database kept: {urllib.parse.urlunsplit(shown)}")
        return 1 if problems else 0
    finally:
        if server is not None:
            server.stop()
        if conn is not None:
            conn.close()
        if not args.keep:
            drop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
