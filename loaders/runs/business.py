"""The business summary that ends `run` and `demo`: what the run meant, in the
marts' own terms, then where to look next.

Every number is a count over a mart, read with small SQL; the rules behind
them (an outcome, a status change, an anomaly, who is due for eligibility) are
the models' (models/marts/*/_*__models.yml), never decided here. A mart that
does not exist yet (a run with --skip-build, a first partial build) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.core.db import RAW_SCHEMA, table_exists

MARTS = "marts"
# This run's files, for the facts that name the file they came from.
_RUN_FILES = f"file_id in (select file_id from {RAW_SCHEMA}.file_manifest where run_id = %s)"


@dataclass
class BusinessSummary:
    run_id: int
    results_by_outcome: dict[str, int] | None = None  # fct_exam_results, this run's files
    statuses_moved: dict[str, int] | None = None  # fct_application_status_history, ditto
    anomalies: dict[str, int] | None = None  # mart_result_anomalies, all open
    eligibility: tuple[int, int] | None = None  # outbound_eligibility: rows, not sent before
    scores: tuple[int, int] | None = None  # mart_scores_by_person: rows, people
    quarantined: int | None = None  # mart_load_audit, this run's files
    drift_quarantined: int | None = None  # mart_file_quarantine, this run's files
    matches: dict[str, int] | None = None  # mart_person_matches by outcome, all records
    purpose_marks: dict[str, int] | None = None  # mart_purpose_codes marked, by indicator
    date_changes: int | None = None  # mart_test_date_changes, all


def _grouped(cur, sql: str, args: tuple = ()) -> dict[str, int]:
    cur.execute(sql, args)
    return {str(key): int(n) for key, n in cur.fetchall()}


def gather(conn, run_id: int) -> BusinessSummary:
    """The counts of the module's docstring for run ``run_id``."""
    s = BusinessSummary(run_id)

    def has(table: str) -> bool:
        return table_exists(conn, MARTS, table)

    with conn.cursor() as cur:
        if has("fct_exam_results"):
            s.results_by_outcome = _grouped(
                cur, f"select outcome, count(*) from {MARTS}.fct_exam_results "
                f"where {_RUN_FILES} group by outcome order by outcome", (run_id,))
        if has("fct_application_status_history"):
            s.statuses_moved = _grouped(
                cur, f"select to_status, count(*) from {MARTS}.fct_application_status_history "
                f"where from_status = 'Pending' and {_RUN_FILES} "
                "group by to_status order by to_status", (run_id,))
        if has("mart_result_anomalies"):
            s.anomalies = _grouped(cur, f"select anomaly_type, count(*) from "
                                   f"{MARTS}.mart_result_anomalies group by anomaly_type "
                                   "order by anomaly_type")
        if has("outbound_eligibility"):
            cur.execute("select count(*), coalesce(sum(case when was_sent_before then 0 "
                        f"else 1 end), 0) from {MARTS}.outbound_eligibility")
            s.eligibility = tuple(int(n) for n in cur.fetchone())
        if has("mart_scores_by_person"):
            cur.execute("select count(*), count(distinct vendor_person_id) "
                        f"from {MARTS}.mart_scores_by_person")
            s.scores = tuple(int(n) for n in cur.fetchone())
        if has("mart_load_audit"):
            cur.execute(f"select count(*) from {MARTS}.mart_load_audit "
                        "where run_id = %s and status = 'quarantined'", (run_id,))
            s.quarantined = int(cur.fetchone()[0])
        if has("mart_file_quarantine"):
            cur.execute(f"select count(*) from {MARTS}.mart_file_quarantine "
                        f"where {_RUN_FILES}", (run_id,))
            s.drift_quarantined = int(cur.fetchone()[0])
        if has("mart_person_matches"):
            s.matches = _grouped(cur, f"select outcome, count(*) from {MARTS}.mart_person_matches "
                                 "group by outcome order by outcome")
        if has("mart_purpose_codes"):
            s.purpose_marks = _grouped(cur, f"select indicator, count(*) from "
                                       f"{MARTS}.mart_purpose_codes where is_marked "
                                       "group by indicator order by indicator")
        if has("mart_test_date_changes"):
            cur.execute(f"select count(*) from {MARTS}.mart_test_date_changes")
            s.date_changes = int(cur.fetchone()[0])
    return s


def _counts(by: dict[str, int]) -> str:
    total = sum(by.values())
    return f"{total}" + (" (" + ", ".join(f"{k} {n}" for k, n in by.items()) + ")" if by else "")


def summary_lines(s: BusinessSummary) -> list[str]:
    """The summary as lines for a person, ending with where to look next."""
    lines = [f"In business terms (run {s.run_id}):"]
    if s.results_by_outcome is not None:
        lines.append(f"  exam results received: {_counts(s.results_by_outcome)}")
    if s.statuses_moved is not None:
        lines.append(f"  application statuses moved from Pending: {_counts(s.statuses_moved)}")
    if s.anomalies is not None:
        lines.append(f"  results that need a person (all open): {_counts(s.anomalies)}")
    if s.eligibility is not None:
        rows, new = s.eligibility
        lines.append(f"  applications due for eligibility: {rows} ({new} never sent)")
    if s.scores is not None:
        rows, people = s.scores
        lines.append(f"  admissions scores on file: {rows} for {people} person(s)")
    if s.matches is not None:
        lines.append(f"  incoming person records matched: {_counts(s.matches)}")
    if s.purpose_marks is not None:
        lines.append(f"  best scores marked as used for admission (purpose codes): "
                     f"{_counts(s.purpose_marks)}")
    if s.date_changes is not None:
        lines.append(f"  same-date ACT/SAT test date changes: {s.date_changes}")
    if s.quarantined is not None:
        drift = s.drift_quarantined or 0
        lines.append(f"  files quarantined in this run: {s.quarantined + drift}"
                     + (f" ({drift} for layout drift)" if drift else ""))
    if len(lines) == 1:
        lines.append("  no marts yet (run python cli.py build)")
    lines.append("Next: `python cli.py status` (runs, files, quarantine), `python cli.py report` "
                 "(HTML and a CSV of every mart), the exports (`python cli.py export --help`).")
    return lines
