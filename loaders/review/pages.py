"""What the review pages show, read from the marts: the match review queue
(``marts.mart_match_review_queue``), the open anomalies and the errors and
quarantined files (``marts.mart_problems``, ``marts.mart_problem_choices``).

Nothing here decides anything: a decision goes through
``loaders.matching.decisions.record_one`` or ``loaders.runs.problems.handle``,
the same checks as the decisions files and the terminal verbs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from loaders.core.db import table_exists
from loaders.matching.review import Case, load_case

# Problems a person reads as errors of a file rather than as anomalies of a result.
ERROR_KINDS = ("result_error", "score_error", "placement_error", "org_file_error",
               "quarantined_file")
PAGE_SIZE = 100
# How many reasons of a file the errors page spells out.
FIRST_REASONS = 3


@dataclass
class Waiting:
    """How many wait on a page and since when."""

    count: int = 0
    oldest: datetime | None = None

    @property
    def age(self) -> str:
        """The oldest one's age in words: '3 days', '5 hours', 'under an hour'."""
        if self.oldest is None:
            return ""
        oldest = self.oldest if self.oldest.tzinfo else self.oldest.replace(tzinfo=UTC)
        hours = (datetime.now(UTC) - oldest).total_seconds() / 3600
        if hours < 1:
            return "under an hour"
        if hours < 48:
            return f"{int(hours)} hour{'s' if int(hours) != 1 else ''}"
        return f"{int(hours // 24)} days"


def mask_ssn(name: str | None, value):
    """Only the last four digits of anything that is an SSN field."""
    if value is None or not name or "ssn" not in name.lower():
        return value
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    return f"***-**-{digits[-4:]}" if digits else "***"


# -- the match review queue ----------------------------------------------------------------
QUEUE_WAITING = (
    "from marts.mart_match_review_queue as q where not exists ("
    "select 1 from ops.match_decisions as d where d.record_id = q.record_id)")


def queue_ready(conn) -> bool:
    return table_exists(conn, "marts", "mart_match_review_queue")


def queue_waiting(conn) -> Waiting:
    if not queue_ready(conn):
        return Waiting()
    with conn.cursor() as cur:
        cur.execute(f"select count(distinct q.record_id), min(q.waiting_since) {QUEUE_WAITING}")
        count, oldest = cur.fetchone()
    return Waiting(int(count), oldest)


@dataclass
class QueueRow:
    record_id: str
    waiting_since: datetime | None
    file_name: str | None
    line_number: int | None
    reason: str | None
    best_score: float | None
    candidates: int
    first_name: str | None
    last_name: str | None


def queue_page(conn, page: int = 1, size: int = PAGE_SIZE) -> list[QueueRow]:
    """One page of the waiting records, oldest first."""
    if not queue_ready(conn):
        return []
    with conn.cursor() as cur:
        cur.execute("select q.record_id, min(q.waiting_since), min(q.file_name), "
                    "min(q.line_number), min(q.reason), max(q.best_score), "
                    "count(q.candidate_person_id), min(q.record_first_name), "
                    f"min(q.record_last_name) {QUEUE_WAITING} group by q.record_id "
                    "order by min(q.waiting_since), q.record_id limit %s offset %s",
                    (size, (max(page, 1) - 1) * size))
        return [QueueRow(*row) for row in cur.fetchall()]


def oldest_waiting(conn, after: set[str] | frozenset = frozenset()) -> str | None:
    """The oldest waiting record not in ``after`` (the next case to open)."""
    for row in queue_page(conn, 1, len(after) + 1):
        if row.record_id not in after:
            return row.record_id
    return None


def case_version(case: Case) -> str:
    """A short fingerprint of what the reviewer saw: the candidates, their
    scores and levels. A build that changed the case changes it."""
    seen = [(c.rank, c.person_id, str(c.score), sorted((k, str(v)) for k, v in c.levels.items()))
            for c in case.candidates]
    return hashlib.sha256(repr((case.reason, seen)).encode()).hexdigest()[:16]


def open_case(conn, record_id: str) -> Case | None:
    return load_case(conn, record_id) if queue_ready(conn) else None


def decided(conn, record_id: str) -> tuple | None:
    """(decision, person_id, decided_by, decided_at) of a record decided since the last build."""
    with conn.cursor() as cur:
        cur.execute("select decision, person_id, decided_by, decided_at from ops.match_decisions "
                    "where record_id = %s", (record_id,))
        return cur.fetchone()


# -- anomalies and errors --------------------------------------------------------------------
@dataclass
class Problem:
    problem_id: str
    problem_kind: str
    domain: str
    file_id: int | None
    file_name: str | None
    line_number: int | None
    field: str | None
    field_value: object
    explanation: str
    result_id: str | None
    first_seen_at: datetime | None
    lines: list[dict] = field(default_factory=list)
    choices: list[dict] = field(default_factory=list)

    @property
    def version(self) -> str:
        return hashlib.sha256(repr((self.problem_id, self.explanation,
                                    [c.get("result_id") for c in self.choices])).encode()
                              ).hexdigest()[:16]


PROBLEM_COLUMNS = ("problem_id, problem_kind, domain, file_id, file_name, line_number, field, "
                   "field_value, explanation, result_id, first_seen_at")


def problems_ready(conn) -> bool:
    return table_exists(conn, "marts", "mart_problems")


def _kinds(errors: bool) -> tuple[str, tuple]:
    return ("problem_kind in %s" if errors else "problem_kind not in %s"), (ERROR_KINDS,)


def problems_waiting(conn, errors: bool) -> Waiting:
    if not problems_ready(conn):
        return Waiting()
    where, args = _kinds(errors)
    with conn.cursor() as cur:
        cur.execute(f"select count(*), min(first_seen_at) from marts.mart_problems "
                    f"where status = 'open' and {where}", args)
        count, oldest = cur.fetchone()
    return Waiting(int(count), oldest)


def _rows(cur) -> list[dict]:
    names = [c.name for c in cur.description]
    return [{n: mask_ssn(n, v) for n, v in zip(names, row, strict=True)}
            for row in cur.fetchall()]


def result_lines(conn, result_ids: list[str]) -> list[dict]:
    """The results as the credentialing marts have them (fct_exam_results)."""
    if not result_ids or not table_exists(conn, "marts", "fct_exam_results"):
        return []
    with conn.cursor() as cur:
        cur.execute("select result_id, candidate_id, last_name, first_name, exam_code, "
                    "test_date, test_center, score, passing_score, result_code "
                    "from marts.fct_exam_results where result_id in %s order by result_id",
                    (tuple(result_ids),))
        return _rows(cur)


def _choices(conn, problem_id: str) -> list[dict]:
    with conn.cursor() as cur:
        cur.execute("select result_id, outcome, test_date, file_id, line_number "
                    "from marts.mart_problem_choices where problem_id = %s order by result_id",
                    (problem_id,))
        return _rows(cur)


def open_anomalies(conn, limit: int = PAGE_SIZE) -> list[Problem]:
    """The open anomalies, oldest first, each with its result lines (and, for a
    conflicting_results anomaly, the results it may keep)."""
    if not problems_ready(conn):
        return []
    where, args = _kinds(errors=False)
    with conn.cursor() as cur:
        cur.execute(f"select {PROBLEM_COLUMNS} from marts.mart_problems where status = 'open' "
                    f"and {where} order by first_seen_at nulls last, problem_id limit %s",
                    (*args, limit))
        problems = [Problem(*row) for row in cur.fetchall()]
    for p in problems:
        p.field_value = mask_ssn(p.field, p.field_value)
        p.choices = _choices(conn, p.problem_id)
        ids = [c["result_id"] for c in p.choices] or ([p.result_id] if p.result_id else [])
        p.lines = result_lines(conn, ids)
    return problems


def problem(conn, problem_id: str) -> Problem | None:
    if not problems_ready(conn):
        return None
    with conn.cursor() as cur:
        cur.execute(f"select {PROBLEM_COLUMNS} from marts.mart_problems where problem_id = %s",
                    (problem_id,))
        row = cur.fetchone()
    if row is None:
        return None
    p = Problem(*row)
    p.choices = _choices(conn, p.problem_id)
    return p


@dataclass
class FileErrors:
    file_id: int | None
    file_name: str
    domain: str
    count: int = 0
    first_seen_at: datetime | None = None
    reasons: list[str] = field(default_factory=list)
    quarantined: bool = False


def open_errors(conn, files: int = PAGE_SIZE) -> list[FileErrors]:
    """The open errors and quarantined files per file, newest file first, each
    with its first reasons."""
    if not problems_ready(conn):
        return []
    where, args = _kinds(errors=True)
    with conn.cursor() as cur:
        cur.execute(f"select file_id, coalesce(file_name, '(no file)'), domain, line_number, "
                    f"problem_kind, field, field_value, explanation, first_seen_at "
                    f"from marts.mart_problems where status = 'open' and {where} "
                    "order by file_id desc nulls last, line_number nulls first, problem_kind, "
                    "field", args)
        groups: dict = {}
        for (file_id, name, domain, line, kind, field_name, value, explanation,
             seen) in cur.fetchall():
            group = groups.get(file_id)
            if group is None:
                if len(groups) >= files:
                    continue
                group = groups[file_id] = FileErrors(file_id, name, domain, first_seen_at=seen)
            group.count += 1
            group.quarantined |= kind == "quarantined_file"
            if len(group.reasons) < FIRST_REASONS:
                where_ = f"line {line}: " if line is not None else ""
                what = ""
                if field_name:
                    shown = mask_ssn(field_name, value)
                    what = f"{field_name} {'empty' if shown is None else repr(str(shown))}: "
                group.reasons.append(f"{where_}{what}{explanation}")
    return list(groups.values())


FILE_COLUMNS = ("file_id", "original_name", "source", "format", "status", "received_at",
                "landed_at", "rows_landed", "archive_path", "sha256", "size_bytes",
                "quarantine_reason", "removed_at")


def file_entry(conn, file_id: int) -> dict | None:
    """A file's manifest entry: where its archived bytes are (never its content)."""
    with conn.cursor() as cur:
        cur.execute(f"select {', '.join(FILE_COLUMNS)} from raw.file_manifest "
                    "where file_id = %s", (file_id,))
        row = cur.fetchone()
    return dict(zip(FILE_COLUMNS, row, strict=True)) if row else None
