"""Person-matching benchmark: the shipped matching models against exact rules.

Generates a population of PERSONS persons and RECORDS incoming score records
with their truth (benchmarks/matching_population.py: typos, nicknames,
swapped names, day/month swaps, SSN on about a quarter, marriage and
hyphenation surname changes, twins and siblings, skewed common names, about
20% of records for people not in the population). On one scratch database:

- the persons and their known CB ids are landed with the real CLI
  (`load persons`, `load person_ids`);
- the records are written straight into `int_admissions__scores` (after a
  build of its parents has made the table): landing and parsing vendor files
  have their own benchmark (bench_admissions.py), this one measures only the
  matching. Ten files, a `raw.file_manifest` row each (their file ids are
  the manifest's, after those of the two persons files);
- the model: `cli.py build --select MATCHING_SELECT`, timed; that selection
  must not rebuild `int_admissions__scores` (it would drop the records);
- the baseline: exact rules in SQL (the vendor id, then SSN and birth date,
  then last name, first name and birth date, trimmed and case-insensitive;
  several persons on the first rule that finds any: potential; none: new),
  timed in the same run through psql.

Prints, for both, the precision of automatic matches, the share of true
matches made automatically, the share found (matched, or potential with the
true person among the candidates), duplicates created (new for someone who
exists), twins and siblings merged, the share sent to review, the wall time
and the peak memory (summed RSS, sampled every 0.5 s, of the server's
postgres processes and of the benchmark's child processes: cli.py with dbt,
or psql). The postgres sum counts shared buffers once per process.

    python benchmarks/bench_matching.py [--persons 1000000] [--records 100000]
        [--seed 1] [--keep] [--slowest 10]

--slowest N prints the N slowest dbt nodes of the matching build (from dbt's
run_results.json), to see where its time goes.

--keep leaves the scratch database (its URL is printed), with the truth in
`bench.truth` and the baseline in `bench.baseline_matches`. Develop with
small sizes (--persons 20000 --records 2000).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import ROOT, dbt_run_results, psql_binary, scratch_database, timed
from matching_population import Individual, Record, generate

# Where matching starts; everything after these is left out of the setup.
MATCHING_ROOTS = "int_matching__records+ stg_matching__persons+"
# The matching build, timed: what follows the roots in the matching folders
# only (the evaluation models after them are not matching).
MATCHING_SELECT = " ".join(f"{root},path:models/{layer}/matching" for root in MATCHING_ROOTS.split()
                           for layer in ("staging", "intermediate", "marts"))
# Everything the matching reads (the ancestors of every node after the
# roots, dbt's `@`), built untimed and without tests; the matching is excluded.
SETUP_SELECT = " ".join(["+int_admissions__scores"]
                        + ["@" + token.rstrip("+") for token in MATCHING_ROOTS.split()])
SCORES_TABLE = "int_admissions__scores"
MATCHES = "marts.mart_person_matches"
REVIEW_QUEUE = "marts.mart_match_review_queue"
FILES = 10


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


def persons_csv(path: Path, population: list[Individual]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["person_id", "last_name", "first_name", "middle_name", "birth_date", "email",
                    "ssn", "gender", "street1", "street2", "city", "state", "zip", "country"])
        for p in population:
            addr = p.shows_address
            w.writerow([p.person_id, p.last, p.first, p.middle, p.birth.isoformat(),
                        p.email if p.shows_email else "", p.ssn if p.shows_ssn else "", p.gender,
                        p.street if addr else "", "", p.city if addr else "",
                        p.state if addr else "", p.zip if addr else "", "US" if addr else ""])


def person_ids_csv(path: Path, population: list[Individual]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["person_id", "id_type", "id_value"])
        for p in population:
            if p.known_cb_id:
                w.writerow([p.person_id, "CB", p.known_cb_id])


def place(index: int, records: int) -> tuple[int, int]:
    """(file number 1..FILES, line number) of the index-th record."""
    per_file = -(-records // FILES)
    return index // per_file + 1, index % per_file + 1


def score_row(rec: Record, file_id: int, file_no: int, line: int) -> dict:
    """One `total` score of the record, by column of int_admissions__scores."""
    return {
        "score_id": f"bench-{file_id}-{line}", "format_name": "sat_csv", "file_id": file_id,
        "file_name": f"SAT_{file_no}.csv", "line_number": line, "administration": 1,
        "field_name": "LATEST_SAT_TOTAL", "vendor_person_id": rec.vendor_person_id,
        "first_name": rec.first_name, "middle_name": rec.middle_name, "last_name": rec.last_name,
        "birth_date": rec.birth_date.isoformat() if rec.birth_date else None,
        "gender": rec.gender, "gender_code": rec.gender, "address_line1": rec.street,
        "city": rec.city, "state": rec.state, "state_code": rec.state, "zip": rec.zip,
        "country": "US" if rec.street else None, "country_code": "US" if rec.street else None,
        "email": rec.email, "phone": rec.phone, "ssn": rec.ssn, "grade_level": "12",
        "grade_level_code": "12", "test_code": "SAT", "test_name": "SAT",
        "component_code": "total", "component": "total",
        "component_field_name": "LATEST_SAT_TOTAL", "score": 1200,
        "test_date": rec.test_date.isoformat(), "is_official": True, "has_error": False,
    }


def column_value(values: dict, column: str, data_type: str):
    """A column the record does not set: every code is a known one (the
    crosswalk flags true), other flags false, anything else null."""
    if column in values:
        return values[column]
    if data_type == "boolean":
        return column.startswith("is_") and column.endswith("_in_xwalk")
    return None


def copy_rows(cur, table: str, columns: list[str], rows) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    buf.seek(0)
    cur.copy_expert(f"copy {table} ({', '.join(columns)}) from stdin with (format csv)", buf)


def fill_scores(conn, records: list[Record]) -> tuple[str, set[str]]:
    """The records into int_admissions__scores, one manifest row per file."""
    with conn.cursor() as cur:
        cur.execute("select table_schema from information_schema.tables where table_name = %s",
                    (SCORES_TABLE,))
        found = cur.fetchone()
        if not found:
            raise SystemExit(f"{SCORES_TABLE} was not built by the setup build ({SETUP_SELECT})")
        table = f"{found[0]}.{SCORES_TABLE}"
        cur.execute("select column_name, data_type from information_schema.columns "
                    "where table_schema = %s and table_name = %s order by ordinal_position",
                    (found[0], SCORES_TABLE))
        columns = cur.fetchall()
        # The manifest gives the file ids: the persons files landed before hold the first ones.
        per_file = Counter(place(i, len(records))[0] for i in range(len(records)))
        file_ids = {}
        for n in range(1, FILES + 1):
            name = f"SAT_{n}.csv"
            cur.execute(
                "insert into raw.file_manifest (source, format, original_name, sha256, status,"
                " rows_landed, land_started_at, landed_at) values ('bench', 'sat_csv', %s, %s,"
                " 'landed', %s, now(), now()) returning file_id",
                (name, hashlib.sha256(f"bench-matching {name} {time.time()}".encode()).hexdigest(),
                 per_file[n]))
            file_ids[n] = cur.fetchone()[0]
        cur.execute(f"truncate {table}")

        def rows():
            for i, rec in enumerate(records):
                file_no, line = place(i, len(records))
                values = score_row(rec, file_ids[file_no], file_no, line)
                yield [column_value(values, c, t) for c, t in columns]

        copy_rows(cur, table, [c for c, _ in columns], rows())
        cur.execute("create schema if not exists bench")
        cur.execute("create table bench.truth (file_name text, line_number integer, "
                    "true_person_id text, family_person_ids text, has_twin boolean, noise text)")
        copy_rows(cur, "bench.truth", ["file_name", "line_number", "true_person_id",
                                       "family_person_ids", "has_twin", "noise"],
                  ([f"SAT_{f}.csv", ln, r.true_person_id, " ".join(r.family_person_ids),
                    r.has_twin, " ".join(sorted(r.noise))]
                   for r, (f, ln) in ((r, place(i, len(records))) for i, r in enumerate(records))))
    conn.commit()
    return table, {c for c, _ in columns}


BASELINE_SQL = """
create table bench.baseline_persons as
select
    person_id,
    lower(trim(last_name)) as last_key,
    lower(trim(first_name)) as first_key,
    cast(nullif(trim(birth_date), '') as date) as birth_date,
    nullif(trim(ssn), '') as ssn
from raw.persons;
create index on bench.baseline_persons (ssn, birth_date);
create index on bench.baseline_persons (last_key, first_key, birth_date);
create table bench.baseline_hits as
with records as (
    select
        file_name, line_number, vendor_person_id, {ssn} as ssn, birth_date,
        lower(trim(last_name)) as last_key, lower(trim(first_name)) as first_key
    from {scores}
),
hits as (
    select r.file_name, r.line_number, 1 as rule, i.person_id
    from records as r
    inner join raw.person_ids as i
        on i.id_type = 'CB' and i.id_value = r.vendor_person_id
    union
    select r.file_name, r.line_number, 2 as rule, p.person_id
    from records as r
    inner join bench.baseline_persons as p
        on r.ssn = p.ssn and r.birth_date = p.birth_date
    union
    select r.file_name, r.line_number, 3 as rule, p.person_id
    from records as r
    inner join bench.baseline_persons as p
        on r.last_key = p.last_key and r.first_key = p.first_key
        and r.birth_date = p.birth_date
),
first_rule as (
    select file_name, line_number, min(rule) as rule from hits group by file_name, line_number
)
select h.file_name, h.line_number, h.person_id
from hits as h
inner join first_rule as f
    on h.file_name = f.file_name and h.line_number = f.line_number and h.rule = f.rule;
create table bench.baseline_matches as
select
    r.file_name,
    r.line_number,
    case when count(h.person_id) = 0 then 'new'
        when count(h.person_id) = 1 then 'matched' else 'potential' end as outcome,
    case when count(h.person_id) = 1 then min(h.person_id) end as person_id
from {scores} as r
left join bench.baseline_hits as h
    on r.file_name = h.file_name and r.line_number = h.line_number
group by r.file_name, r.line_number;
"""


class MemorySampler(threading.Thread):
    """Peak summed RSS (MB) of the server's postgres processes and of this
    process's children, sampled every 0.5 s until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        import psutil

        self.psutil, self.me = psutil, psutil.Process()
        self.postgres_mb = self.loader_mb = 0.0
        self._halt = threading.Event()

    def _postgres(self) -> list:
        from urllib.parse import parse_qs

        from loaders.core.db import PGDATA

        # The server the benchmark uses: a unix-socket folder in
        # SCOREBRIDGE_DATABASE_URL is pgserver's data folder; else the embedded one.
        url = os.environ.get("SCOREBRIDGE_DATABASE_URL", "")
        hosts = parse_qs(urlsplit(url).query).get("host", []) if url else []
        folders = [Path(h) for h in hosts if h.startswith("/")] or ([] if url else [PGDATA])
        for folder in folders:
            try:
                master = self.psutil.Process(int((folder / "postmaster.pid").read_text().split()[0]))
                return [master] + master.children()
            except (OSError, ValueError, self.psutil.Error):
                continue
        # Another server: every postgres process of the machine.
        return [p for p in self.psutil.process_iter(["name"]) if p.info["name"] == "postgres"]

    def _rss(self, procs) -> float:
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except self.psutil.Error:
                pass
        return total / 2**20

    def run(self) -> None:
        while not self._halt.is_set():
            self.postgres_mb = max(self.postgres_mb, self._rss(self._postgres()))
            self.loader_mb = max(self.loader_mb, self._rss(self.me.children(recursive=True)))
            self._halt.wait(0.5)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self._halt.set()
        self.join()


def table_exists(conn, table: str) -> bool:
    schema, name = table.split(".")
    with conn.cursor() as cur:
        cur.execute("select 1 from information_schema.tables where table_schema = %s "
                    "and table_name = %s", (schema, name))
        return cur.fetchone() is not None


def outcomes(conn, table: str) -> dict[tuple[str, int], tuple[str, str | None]]:
    with conn.cursor() as cur:
        cur.execute(f"select file_name, line_number, outcome, person_id from {table}")
        return {(f, ln): (o, p) for f, ln, o, p in cur.fetchall()}


def candidates(conn, table: str | None) -> dict[tuple[str, int], set[str]]:
    """Candidate persons of each potential match, by (file name, line number)."""
    out: dict[tuple[str, int], set[str]] = {}
    if table is None:  # the baseline's, kept in bench.baseline_hits
        query = "select file_name, line_number, person_id from bench.baseline_hits"
    else:
        schema, name = table.split(".")
        with conn.cursor() as cur:
            cur.execute("select column_name from information_schema.columns "
                        "where table_schema = %s and table_name = %s", (schema, name))
            cols = {c for (c,) in cur.fetchall()}
        if not cols:
            raise SystemExit(f"{table} does not exist after the matching build")
        if {"file_name", "line_number"} <= cols:
            query = f"select file_name, line_number, candidate_person_id from {table}"
        else:
            query = (f"select m.file_name, m.line_number, q.candidate_person_id from {table} as q"
                     f" inner join raw.file_manifest as f on split_part(q.record_id, ':', 1)"
                     f" = cast(f.file_id as text) inner join (select distinct file_name,"
                     f" line_number from {MATCHES}) as m on m.file_name = f.original_name"
                     f" and cast(m.line_number as text) = split_part(q.record_id, ':', 2)")
    with conn.cursor() as cur:
        cur.execute(query)
        for f, ln, person in cur.fetchall():
            out.setdefault((f, ln), set()).add(person)
    return out


def metrics(records: list[Record], result: dict, cands: dict) -> dict:
    """The quality figures of one matcher against the truth; `by_noise`: per
    noise tag, records of existing persons and how many were matched right."""
    n = len(records)
    exists = matched = correct = found = dupes = merged = review = 0
    by_noise: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        file_no, line = place(i, n)
        outcome, person = result.get((f"SAT_{file_no}.csv", line), ("missing", None))
        review += outcome == "potential"
        matched += outcome == "matched"
        if outcome == "matched" and person in rec.family_person_ids:
            merged += 1
        if rec.true_person_id is None:
            continue
        exists += 1
        hit = outcome == "matched" and person == rec.true_person_id
        correct += hit
        for tag in rec.noise or {"(none)"}:
            tally = by_noise.setdefault(tag, [0, 0])
            tally[0] += 1
            tally[1] += hit
        found += hit or (outcome == "potential"
                         and rec.true_person_id in cands.get((f"SAT_{file_no}.csv", line), ()))
        dupes += outcome == "new"
    return {"precision": correct / matched if matched else 0.0,
            "automatic": correct / exists, "found": found / exists, "duplicates": dupes / exists,
            "merged": merged, "review": review / n, "missing": n - len(result),
            "by_noise": by_noise}


ROWS = [  # metric, target, key, format, passes
    ("precision of automatic matches", ">= 99.9%", "precision", "{:.3%}", lambda v: v >= 0.999),
    ("true matches matched automatically", ">= 95%", "automatic", "{:.2%}", lambda v: v >= 0.95),
    ("found as matched or potential", ">= 99%", "found", "{:.2%}", lambda v: v >= 0.99),
    ("duplicates created", "< 0.5%", "duplicates", "{:.2%}", lambda v: v < 0.005),
    ("twins and siblings merged", "0", "merged", "{:,}", lambda v: v == 0),
    ("sent to review", "<= 4%", "review", "{:.2%}", lambda v: v <= 0.04),
    ("wall time of the matching (s)", "< 300", "seconds", "{:.1f}", lambda v: v < 300),
    ("peak memory, postgres (MB)", "-", "postgres_mb", "{:,.0f}", None),
    ("peak memory, loader (MB)", "-", "loader_mb", "{:,.0f}", None),
]


def report(model: dict, baseline: dict) -> None:
    head = ("metric", "target", "model", "baseline", "pass/fail")
    lines = [head]
    for label, target, key, fmt, passes in ROWS:
        verdict = "-" if passes is None else ("pass" if passes(model[key]) else "FAIL")
        lines.append((label, target, fmt.format(model[key]), fmt.format(baseline[key]), verdict))
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    for j, row in enumerate(lines):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))
    print("\nmatched automatically to the true person, by noise of the record (a record may have several):")
    print(f"  {'noise':<16}{'records':>9}{'model':>9}{'baseline':>10}")
    for tag, (count, hits) in sorted(model["by_noise"].items(), key=lambda kv: -kv[1][0]):
        base = baseline["by_noise"].get(tag, [count, 0])[1]
        print(f"  {tag:<16}{count:>9,}{hits / count:>9.1%}{base / count:>10.1%}")
    for name, figures in (("model", model), ("baseline", baseline)):
        if figures["missing"]:
            print(f"warning: {figures['missing']:,} records have no row in the {name}'s matches")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the scratch database")
    ap.add_argument("--slowest", type=int, default=10)
    args = ap.parse_args()
    import psycopg2

    started = time.perf_counter()
    population, records = generate(args.persons, args.records, args.seed)
    print(f"generated {len(population):,} persons and {len(records):,} records "
          f"({sum(r.true_person_id is None for r in records):,} of people not in the population)"
          f" in {time.perf_counter() - started:.1f} s")
    work = Path(tempfile.mkdtemp(prefix="sb-bench-match-"))
    url, drop = scratch_database()
    try:
        env = {"SCOREBRIDGE_DATABASE_URL": url, "SCOREBRIDGE_STATE_DIR": str(work / "state")}
        cli = [sys.executable, str(ROOT / "cli.py"), "--quiet"]
        persons_csv(work / "persons.csv", population)
        person_ids_csv(work / "person_ids.csv", population)
        land = timed(cli + ["load", "persons", str(work / "persons.csv")], env=env, cwd=work)[0]
        land += timed(cli + ["load", "person_ids", str(work / "person_ids.csv")], env=env, cwd=work)[0]
        setup, _ = timed(cli + ["dbt", "build", "--select", SETUP_SELECT, "--exclude", MATCHING_ROOTS,
                     "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"],
              env=env, cwd=work)
        conn = psycopg2.connect(url)
        scores, columns = fill_scores(conn, records)
        lost = sorted(set(score_row(records[0], 0, 1, 1)) - columns)
        if lost:
            print(f"warning: {SCORES_TABLE} has no column {', '.join(lost)}: "
                  f"the records carry none")
        with MemorySampler() as model_mem:
            seconds, _ = timed(cli + ["build", "--select", MATCHING_SELECT], env=env, cwd=work)
        nodes = dbt_run_results()
        slowest = sorted(nodes, key=lambda n: -n["execution_time"])[:args.slowest]
        if not table_exists(conn, MATCHES):
            raise SystemExit(f"the matching build (--select {MATCHING_SELECT}) made no {MATCHES}: "
                             f"are the matching models in this checkout?")
        model = metrics(records, outcomes(conn, MATCHES), candidates(conn, REVIEW_QUEUE))
        model.update(seconds=seconds, postgres_mb=model_mem.postgres_mb,
                     loader_mb=model_mem.loader_mb)
        sql = work / "baseline.sql"
        ssn = "nullif(trim(ssn), '')" if "ssn" in columns else "cast(null as text)"
        sql.write_text(BASELINE_SQL.format(scores=scores, ssn=ssn))
        with MemorySampler() as base_mem:
            seconds, _ = timed([psql_binary(), url, "-q", "-v", "ON_ERROR_STOP=1", "-f", str(sql)],
                               cwd=work)
        baseline = metrics(records, outcomes(conn, "bench.baseline_matches"), candidates(conn, None))
        baseline.update(seconds=seconds, postgres_mb=base_mem.postgres_mb,
                        loader_mb=base_mem.loader_mb)
        conn.close()
        family = sum(bool(r.family_person_ids) for r in records)
        print(f"{len(records):,} records against {len(population):,} persons, seed {args.seed}; "
              f"{family:,} records have a twin or sibling in the population")
        print(f"(untimed: landing the persons {land:.1f} s, building what the matching reads "
              f"{setup:.1f} s)")
        report(model, baseline)
        if slowest:
            print(f"\nslowest nodes of the matching build ({len(nodes)} nodes):")
        for node in slowest:
            print(f"  {node['execution_time']:7.2f} s  {node['unique_id']}")
        if args.keep:
            print(f"scratch database kept: {without_password(url)}")
    finally:
        if not args.keep:
            drop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
