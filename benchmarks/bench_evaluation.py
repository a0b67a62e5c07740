"""Score-evaluation benchmark: the nightly build on a history against the same
build on an empty history (issue 14).

The evaluation models (docs/evaluation.md: best scores, superscores, purpose
codes, the same-date fix, exemptions, outbound_scores) read the matched
scores. On one scratch database, everything they read is built once,
untimed and without tests (SETUP_SELECT: the ancestors of
models/marts/evaluation, the evaluation models excluded), then the
evaluation models on nothing (so their incremental tables exist, empty);
that database is the template of each case, copied under the scratch
database's own name (every dbt run sees one connection and parses the
project partially, as a nightly run does):

- history: HISTORY scores (ACT and SAT sittings with their components,
  ACT's own superscore block on some records, official flags, several
  sittings per person, some same-day ACT/SAT pairs) are written straight into
  `int_admissions__scores` with one `raw.file_manifest` row per file, and
  every record into `int_matching__outcomes` as matched to its person
  (landing, parsing and matching have their own benchmarks:
  bench_admissions.py, bench_matching.py). The persons' admission test
  indicators are landed with the real `cli.py load admission_test_indicators`.
  A first build of the evaluation models (untimed) evaluates that history;
  then NEW scores arrive in two new files (retakes of history persons and
  new persons) with a nightly indicators file (some letters change, the new
  persons' lines), and the nightly build of the evaluation models is timed;
- empty: from the template, the same NEW scores and the same nightly
  indicators file arrive and the same build is timed.

Both timed builds are `cli.py build --select EVALUATION` (models and
their data tests, as the nightly `run` builds them). Prints both times, their
ratio against the target (the nightly build at most twice the same build on
an empty history), the slowest dbt nodes of the timed history build (from
dbt's run_results.json) and the row counts of the main marts in both cases;
exits 1 when a mart is empty (a miss of the target is printed, not an error).

    python benchmarks/bench_evaluation.py [--history 400000] [--new 10000]
        [--seed 1] [--slowest 10]

Develop with --history 20000 --new 1000 (under a minute).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import ROOT, dbt_run_results, scratch_database, timed

EVALUATION = "path:models/intermediate/evaluation path:models/marts/evaluation"
SETUP_SELECT = "+models/marts/evaluation"
SCORES_TABLE = "int_admissions__scores"
OUTCOMES_TABLE = "int_matching__outcomes"
TARGET = 2.0
# The marts whose row counts show the build did its work (each must have rows).
MARTS = ("mart_best_scores", "mart_superscores", "mart_superscore_differences",
         "mart_purpose_codes", "mart_purpose_code_history", "mart_test_date_changes",
         "mart_exemptions", "mart_exemption_history", "outbound_scores")
HISTORY_FILES = 20  # history score files, ACT and SAT in turn
ACT_PARTS = ("english", "math", "reading", "science")
SUP = {"english": "sup_english", "math": "sup_math", "reading": "sup_reading",
       "science": "sup_science"}


@dataclass
class Sitting:
    """One record of a vendor file: one sitting's scores of one person."""

    person_id: str
    vendor_person_id: str
    test_code: str
    test_date: date
    official: bool
    scores: dict[str, int]  # component -> score
    # ACT's own superscore block: component -> (score, its date)
    sup: dict[str, tuple[int, date]] = field(default_factory=dict)
    error: bool = False


def act_round(total: int, parts: int) -> int:
    """ACT's rounding of an average: to the nearest whole number, halves up."""
    return (2 * total + parts) // (2 * parts)


class Population:
    """Persons and their sittings, drawn from one seeded generator."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.count = 0
        self.act_history: dict[str, list[Sitting]] = {}

    def new_person(self) -> tuple[str, str, str]:
        self.count += 1
        n = self.count
        return f"EV{n:07d}", f"A{n:08d}", f"CB{n:08d}"

    def month(self, start_year: int = 2022, years: int = 3) -> date:
        return date(start_year + self.rng.randrange(years), self.rng.randrange(1, 13), 1)

    def act(self, person: tuple[str, str, str], when: date) -> Sitting:
        rng = self.rng
        level = rng.randint(14, 32)
        parts = {c: max(1, min(36, level + rng.randint(-4, 4))) for c in ACT_PARTS}
        scores = {"composite": act_round(sum(parts.values()), 4), **parts}
        sitting = Sitting(person[0], person[1], "ACT", when, rng.random() < 0.95, scores,
                          error=rng.random() < 0.005)
        seen = self.act_history.setdefault(person[0], [])
        seen.append(sitting)
        # ACT's block on later sittings (and a fifth of first ones): its best of each
        # part over what it holds, now and then a sitting we never received.
        if len(seen) > 1 or rng.random() < 0.2:
            for c in ACT_PARTS:
                best = max(seen, key=lambda s: s.scores[c])
                bump = 1 if rng.random() < 0.1 else 0
                sitting.sup[SUP[c]] = (min(36, best.scores[c] + bump), best.test_date)
            total = sum(v for v, _ in sitting.sup.values())
            sitting.sup["sup_composite"] = (act_round(total, 4), when)
        return sitting

    def sat(self, person: tuple[str, str, str], when: date) -> Sitting:
        rng = self.rng
        level = rng.randrange(25, 75)
        ebrw = 10 * max(20, min(80, level + rng.randint(-6, 6)))
        math = 10 * max(20, min(80, level + rng.randint(-6, 6)))
        return Sitting(person[0], person[2], "SAT", when, rng.random() < 0.95,
                       {"total": ebrw + math, "ebrw": ebrw, "math": math},
                       error=rng.random() < 0.005)

    def sat_day(self) -> date:
        return self.month() + timedelta(days=self.rng.randrange(2, 28))

    def person_sittings(self, person: tuple[str, str, str]) -> list[Sitting]:
        """A person's sittings: ACT only, SAT only or both, one to three of each;
        a third of those with both sat them on the same day once."""
        rng = self.rng
        kind = rng.random()
        acts = rng.choice((1, 1, 2, 2, 3)) if kind < 0.65 else 0
        sats = rng.choice((1, 1, 2, 2, 3)) if kind >= 0.45 else 0
        act_months = sorted({self.month() for _ in range(acts)})
        out = [self.act(person, m) for m in act_months]
        sat_days = [self.sat_day() for _ in range(sats)]
        if acts and sats and rng.random() < 0.33:
            sat_days[0] = act_months[0]  # the ACT month is read as its 1st
        out += [self.sat(person, d) for d in sat_days]
        return out


def score_count(s: Sitting) -> int:
    return len(s.scores) + len(s.sup)


def history_and_new(history: int, new: int, seed: int):
    """(history sittings, new sittings, history persons, new persons), by scores."""
    pop = Population(seed)
    old_sittings: list[Sitting] = []
    persons: list[tuple[str, str, str]] = []
    total = 0
    while total < history:
        person = pop.new_person()
        persons.append(person)
        for s in pop.person_sittings(person):
            old_sittings.append(s)
            total += score_count(s)
    new_sittings: list[Sitting] = []
    new_persons: list[tuple[str, str, str]] = []
    total = 0
    late = date(2025, 6, 1)
    while total < new:
        if pop.rng.random() < 0.6:  # a retake by someone in the history
            person = pop.rng.choice(persons)
            if pop.rng.random() < 0.5:
                s = pop.act(person, late + timedelta(days=31 * pop.rng.randrange(6)))
                s.test_date = s.test_date.replace(day=1)
            else:
                s = pop.sat(person, late + timedelta(days=pop.rng.randrange(180)))
            sittings = [s]
        else:
            person = pop.new_person()
            new_persons.append(person)
            sittings = pop.person_sittings(person)
        new_sittings += sittings
        total += sum(score_count(s) for s in sittings)
    return old_sittings, new_sittings, persons, new_persons, pop.rng


def indicator_lines(persons, rng: random.Random, letter_of) -> list[tuple[str, str, str]]:
    """TIUG for most persons (the letter of their tests), TIGR with a GRE letter for
    some (no GRE score: unmarkable), now and then the Miller letter no format carries."""
    lines = []
    for p in persons:
        draw = rng.random()
        if draw < 0.1:
            lines.append((p[0], "TIGR", "G"))
        elif draw < 0.11:
            lines.append((p[0], "TIUG", "M"))
        else:
            lines.append((p[0], "TIUG", letter_of(p[0])))
    return lines


def write_indicators(path: Path, lines) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["person_id", "indicator", "test_letter"])
        w.writerows(lines)
    return path


def columns_of(cur, table: str) -> tuple[str, list[tuple[str, str]]]:
    cur.execute("select table_schema from information_schema.tables where table_name = %s",
                (table,))
    found = cur.fetchone()
    if not found:
        raise SystemExit(f"{table} was not built by the setup build ({SETUP_SELECT})")
    cur.execute("select column_name, data_type from information_schema.columns "
                "where table_schema = %s and table_name = %s order by ordinal_position",
                (found[0], table))
    return f"{found[0]}.{table}", cur.fetchall()


def copy_rows(cur, table: str, columns: list[tuple[str, str]], rows) -> int:
    """COPY dicts into the table: the columns they name, null for the others."""
    buf = io.StringIO()
    w = csv.writer(buf)
    n = 0
    for values in rows:
        w.writerow(["" if values.get(c) is None else values[c] for c, _ in columns])
        n += 1
    buf.seek(0)
    names = ", ".join(c for c, _ in columns)
    cur.copy_expert(f"copy {table} ({names}) from stdin with (format csv)", buf)
    return n


def fill(conn, sittings: list[Sitting], label: str, files: int) -> int:
    """The sittings into int_admissions__scores and int_matching__outcomes, one
    record each, spread over `files` files (ACT and SAT files in turn), one
    manifest row per file. Returns the number of scores written."""
    by_test = {"ACT": [s for s in sittings if s.test_code == "ACT"],
               "SAT": [s for s in sittings if s.test_code == "SAT"]}
    plan = []  # (test, file number, its sittings)
    for test, share in by_test.items():
        n = max(1, files // 2)
        per = -(-len(share) // n) or 1
        plan += [(test, k + 1, share[k * per:(k + 1) * per]) for k in range(n)
                 if share[k * per:(k + 1) * per]]
    received = datetime(2025, 12, 1, tzinfo=UTC)
    with conn.cursor() as cur:
        scores_table, score_cols = columns_of(cur, SCORES_TABLE)
        outcomes_table, outcome_cols = columns_of(cur, OUTCOMES_TABLE)
        score_rows, outcome_rows = [], []
        for test, number, share in plan:
            fmt = "act_csv" if test == "ACT" else "sat_csv"
            name = f"{test}_{label}_{number:02d}.csv"
            cur.execute(
                "insert into raw.file_manifest (source, format, original_name, sha256, status,"
                " rows_landed, land_started_at, landed_at) values ('bench', %s, %s, %s,"
                " 'landed', %s, now(), now()) returning file_id",
                (fmt, name, hashlib.sha256(f"bench-eval {name} {time.time()}".encode())
                 .hexdigest(), len(share)))
            file_id = cur.fetchone()[0]
            for line, s in enumerate(share, start=1):
                record = f"{file_id}:{line}"
                outcome_rows.append({
                    "record_id": record, "format_name": fmt, "file_id": file_id,
                    "file_name": name, "line_number": line, "received_at": received,
                    "id_type": "ACT" if test == "ACT" else "CB",
                    "vendor_person_id": s.vendor_person_id, "automatic_outcome": "matched",
                    "automatic_rule": "vendor_id", "automatic_person_id": s.person_id,
                    "candidates": 1, "best_candidate_person_id": s.person_id,
                    "outcome": "matched", "decided_person_id": s.person_id,
                    "match_rule": "vendor_id", "person_id": s.person_id})
                parts = [(c, v, s.test_date, 1) for c, v in s.scores.items()]
                parts += [(c, v, d, 2 + i) for i, (c, (v, d)) in enumerate(s.sup.items())]
                for component, value, when, admin in parts:
                    score_rows.append({
                        "score_id": f"ev-{file_id}-{line}-{component}", "format_name": fmt,
                        "file_id": file_id, "file_name": name, "line_number": line,
                        "administration": admin, "vendor_person_id": s.vendor_person_id,
                        "test_code": test, "test_name": test, "component_code": component,
                        "component": component, "score": value,
                        "test_date": when.isoformat(), "is_official": s.official,
                        "has_error": s.error})
        written = copy_rows(cur, scores_table, score_cols, score_rows)
        copy_rows(cur, outcomes_table, outcome_cols, outcome_rows)
        cur.execute(f"analyze {scores_table}")
        cur.execute(f"analyze {outcomes_table}")
    conn.commit()
    return written


def counts(conn) -> dict[str, int]:
    out = {}
    with conn.cursor() as cur:
        for mart in MARTS:
            cur.execute("select count(*) from information_schema.tables "
                        "where table_schema = 'marts' and table_name = %s", (mart,))
            if not cur.fetchone()[0]:
                out[mart] = -1
                continue
            cur.execute(f"select count(*) from marts.{mart}")
            out[mart] = cur.fetchone()[0]
    return out


def admin(url: str, statement: str) -> None:
    """One statement on the server's postgres database (create, rename, drop)."""
    import psycopg2

    conn = psycopg2.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


def table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for j, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--history", type=int, default=400_000, help="scores already evaluated")
    ap.add_argument("--new", type=int, default=10_000, help="scores of the night")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--slowest", type=int, default=10)
    args = ap.parse_args()
    import psycopg2

    started = time.perf_counter()
    old, new, persons, new_persons, rng = history_and_new(args.history, args.new, args.seed)
    tests_of: dict[str, set[str]] = {}
    for s in old + new:
        tests_of.setdefault(s.person_id, set()).add(s.test_code)

    def letter(person_id: str) -> str:
        tests = tests_of.get(person_id, {"SAT"})
        return "A" if tests == {"ACT"} or (len(tests) == 2 and rng.random() < 0.5) else "S"

    old_lines = indicator_lines(persons, rng, letter)
    # The night's file: about 3% of the history's persons change letter, and the new persons.
    flip = {"A": "S", "S": "A", "G": "R", "M": "A"}
    changed = [(p, ind, flip[t]) for p, ind, t in old_lines if rng.random() < 0.03]
    new_lines = changed + indicator_lines(new_persons, rng, letter)
    print(f"generated {len(old):,} history sittings of {len(persons):,} persons and "
          f"{len(new):,} new ({len(new_persons):,} new persons), {len(changed):,} indicator "
          f"changes, in {time.perf_counter() - started:.1f} s")

    work = Path(tempfile.mkdtemp(prefix="sb-bench-eval-"))
    url, drop = scratch_database()
    name = urlsplit(url).path.lstrip("/")
    template = f"{name}_template"
    cli = [sys.executable, str(ROOT / "cli.py"), "--quiet"]
    untimed_build = cli + ["dbt", "build", "--select", EVALUATION,
                           "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    old_file = write_indicators(work / "indicators_history.csv", old_lines)
    new_file = write_indicators(work / "indicators_nightly.csv", new_lines)
    try:
        env = {"SCOREBRIDGE_DATABASE_URL": url, "SCOREBRIDGE_STATE_DIR": str(work / "setup")}
        # `status` opens the project's context, which makes the raw and ops schemas.
        timed(cli + ["status"], env=env, cwd=work)
        setup, _ = timed(cli + ["dbt", "build", "--select", SETUP_SELECT,
                                "--exclude", EVALUATION,
                                "--exclude-resource-type", "test",
                                "--exclude-resource-type", "unit_test"], env=env, cwd=work)
        # The evaluation models on nothing: their incremental tables exist, empty.
        on_nothing, _ = timed(untimed_build, env=env, cwd=work)
        # Each case runs on a copy of this database under its name, so that every
        # dbt run sees one connection and parses the project partially, as nightly.
        admin(url, f"alter database {name} rename to {template}")
        results: dict[str, dict] = {}
        for case in ("history", "empty"):
            admin(url, f"create database {name} template {template}")
            env = {"SCOREBRIDGE_DATABASE_URL": url, "SCOREBRIDGE_STATE_DIR": str(work / case)}
            conn = psycopg2.connect(url)
            first = history_scores = fill_time = 0.0
            if case == "history":
                t0 = time.perf_counter()
                history_scores = fill(conn, old, "H", HISTORY_FILES)
                timed(cli + ["load", "admission_test_indicators", str(old_file)], env=env, cwd=work)
                fill_time = time.perf_counter() - t0
                first, _ = timed(untimed_build, env=env, cwd=work)
            new_scores = fill(conn, new, "N", 2)
            timed(cli + ["load", "admission_test_indicators", str(new_file)], env=env, cwd=work)
            seconds, _ = timed(cli + ["build", "--select", EVALUATION], env=env, cwd=work)
            nodes = dbt_run_results()
            results[case] = {"seconds": seconds, "first": first, "fill": fill_time,
                             "history_scores": history_scores, "new_scores": new_scores,
                             "nodes": nodes, "counts": counts(conn)}
            conn.close()
            admin(url, f"drop database {name} with (force)")
        h, e = results["history"], results["empty"]
        ratio = h["seconds"] / e["seconds"]
        print(f"history: {h['history_scores']:,} scores evaluated, then {h['new_scores']:,} new"
              f" scores and {len(new_lines):,} indicator lines; seed {args.seed}")
        print(f"(untimed: setup build {setup:.1f} s, filling the history {h['fill']:.1f} s, "
              f"first build of the history {h['first']:.1f} s, on nothing "
              f"{on_nothing:.1f} s)")
        verdict = "pass" if ratio <= TARGET else "FAIL"
        table([("metric", "target", "value", "pass/fail"),
               ("nightly build on the history (s)", "-", f"{h['seconds']:.1f}", "-"),
               ("nightly build on an empty history (s)", "-", f"{e['seconds']:.1f}", "-"),
               ("ratio history / empty", f"<= {TARGET:g}x", f"{ratio:.2f}x", verdict)])
        slowest = sorted(h["nodes"], key=lambda n: -n["execution_time"])[:args.slowest]
        if slowest:
            print(f"\nslowest nodes of the nightly build on the history ({len(h['nodes'])} nodes):")
        for node in slowest:
            print(f"  {node['execution_time']:7.2f} s  {node['unique_id']}")
        print("\nrows of the marts after the nightly build:")
        print(f"  {'mart':<30}{'history':>10}{'empty':>10}")
        empty = []
        for mart in MARTS:
            print(f"  {mart:<30}{h['counts'][mart]:>10,}{e['counts'][mart]:>10,}")
            empty += [f"{mart} ({case})" for case in ("history", "empty")
                      if results[case]["counts"][mart] <= 0]
        if empty:
            print(f"error: empty after the build: {', '.join(empty)}")
            return 1
        return 0
    finally:
        drop()
        admin(url, f"drop database if exists {template} with (force)")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
