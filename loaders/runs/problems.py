"""Problems that reach a person: mark one handled (the ``handle`` verb or a
``problem_decisions`` file) and list the open ones for ``status`` and the run
email.

Which problems exist, and whether one is open, is ``marts.mart_problems`` (a
view, so a decision recorded a second ago already shows); the results a
conflicting_results anomaly may keep are ``marts.mart_problem_choices``. This
module only reads them and records decisions in ``ops.problem_handling``.
"""

from __future__ import annotations

import csv
import getpass
import io
from dataclasses import dataclass, field
from pathlib import Path

from loaders.core.db import RAW_SCHEMA, table_exists, transaction
from loaders.core.errors import ScorebridgeError

DECISION_COLUMNS = ("problem_id", "note", "handled_by")
OPTIONAL_DECISION_COLUMNS = ("chosen_result_id",)


class ProblemError(ScorebridgeError):
    """A decision that cannot be recorded (unknown or handled problem, bad file)."""


@dataclass(frozen=True)
class Decision:
    problem_id: str
    note: str
    handled_by: str
    chosen_result_id: str | None = None


def default_person() -> str:
    """Who decides when --by is not given: the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _require_mart(conn) -> None:
    if not table_exists(conn, "marts", "mart_problems"):
        raise ProblemError("marts.mart_problems is not built yet: run `build` first")


def _check(cur, decision: Decision, seen: set[str]) -> tuple[str | None, str]:
    """(reason it cannot be recorded or None, the problem's kind)."""
    if not decision.problem_id:
        return "problem_id is empty", ""
    if decision.problem_id in seen:
        return f"problem {decision.problem_id} is decided twice in this file", ""
    cur.execute("select problem_kind, status, handled_by, handled_at from marts.mart_problems "
                "where problem_id = %s", (decision.problem_id,))
    row = cur.fetchone()
    if row is None:
        return (f"problem {decision.problem_id} is not in marts.mart_problems "
                "(see `status` or the mart for the ids)"), ""
    kind, status, by, at = row
    if status != "open":
        return (f"problem {decision.problem_id} was already handled by {by} at "
                f"{at:%Y-%m-%d %H:%M}"), kind
    if not decision.note.strip():
        return "the note is empty: say what was done", kind
    if not decision.handled_by.strip():
        return "handled_by is empty", kind
    if kind == "conflicting_results" and not decision.chosen_result_id:
        cur.execute("select result_id from marts.mart_problem_choices where problem_id = %s "
                    "order by result_id", (decision.problem_id,))
        choices = ", ".join(r[0] for r in cur.fetchall())
        return (f"problem {decision.problem_id} is a conflicting_results anomaly: say which "
                f"result stands (--result, or chosen_result_id: one of {choices}); until then "
                "no status change or certificate goes out for its application"), kind
    if decision.chosen_result_id:
        cur.execute("select result_id from marts.mart_problem_choices where problem_id = %s "
                    "order by result_id", (decision.problem_id,))
        choices = [r[0] for r in cur.fetchall()]
        if not choices:
            return (f"problem {decision.problem_id} is a {kind}, not a conflicting_results "
                    "anomaly: it has no result to choose"), kind
        if decision.chosen_result_id not in choices:
            return (f"result {decision.chosen_result_id} is not one of the conflicting results "
                    f"of problem {decision.problem_id} ({', '.join(choices)})"), kind
    return None, kind


def _record(cur, decision: Decision, kind: str, recorded_from: str) -> bool:
    cur.execute("insert into ops.problem_handling (problem_id, problem_kind, note, "
                "chosen_result_id, handled_by, recorded_from) values (%s, %s, %s, %s, %s, %s) "
                "on conflict (problem_id) do nothing",
                (decision.problem_id, kind, decision.note.strip(),
                 decision.chosen_result_id or None, decision.handled_by.strip(), recorded_from))
    return cur.rowcount == 1


def handle(conn, problem_id: str, note: str, by: str | None = None,
           result_id: str | None = None, recorded_from: str = "cli") -> Decision:
    """Marks one open problem handled; refuses (nothing written) what cannot be.
    ``recorded_from``: 'cli' for the handle verb, 'review page' for the page."""
    _require_mart(conn)
    decision = Decision(problem_id.strip(), note, by or default_person(), result_id)
    with transaction(conn) as cur:
        reason, kind = _check(cur, decision, set())
        if reason is None and not _record(cur, decision, kind, recorded_from):
            reason = f"problem {decision.problem_id} was handled a moment ago by someone else"
        if reason is not None:
            raise ProblemError(reason)
    return decision


def read_decisions(path: Path) -> list[tuple[int, Decision]]:
    """The decisions of a problem_decisions CSV file with their line numbers."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ProblemError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ProblemError(f"{path}: not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))  # a quoted note may hold line breaks
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in DECISION_COLUMNS if c not in header]
    unknown = [c for c in header if c not in DECISION_COLUMNS + OPTIONAL_DECISION_COLUMNS]
    if missing or unknown:
        detail = "; ".join(filter(None, [
            missing and "missing column(s) " + ", ".join(missing),
            unknown and "unknown column(s) " + ", ".join(unknown)]))
        raise ProblemError(f"{path.name} line 1: {detail} (columns: problem_id, note, "
                           "handled_by[, chosen_result_id])")
    rows = []
    while True:
        line = reader.line_num + 1  # the physical line the record starts on
        values = next(reader, None)
        if values is None:
            break
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            rows.append((line, None))
            continue
        cells = dict(zip(header, values, strict=True))
        rows.append((line, Decision(cells["problem_id"].strip(), cells["note"],
                                    cells["handled_by"],
                                    (cells.get("chosen_result_id") or "").strip() or None)))
    return rows


def load_decisions(conn, path: Path) -> int:
    """Records every decision of the file, or none: a bad line refuses the whole file
    with its line number and reason. Returns how many were recorded."""
    _require_mart(conn)
    rows = read_decisions(path)
    if not rows:
        raise ProblemError(f"{path.name}: no decisions in the file")
    bad: list[str] = []
    with transaction(conn) as cur:
        seen: set[str] = set()
        checked = []
        for line, decision in rows:
            if decision is None:
                bad.append(f"line {line}: expected {len(DECISION_COLUMNS)} or "
                           f"{len(DECISION_COLUMNS) + 1} fields as in the header")
                continue
            reason, kind = _check(cur, decision, seen)
            seen.add(decision.problem_id)
            if reason:
                bad.append(f"line {line}: {reason}")
            else:
                checked.append((line, decision, kind))
        if not bad:
            for line, decision, kind in checked:
                if not _record(cur, decision, kind, path.name):
                    bad.append(f"line {line}: problem {decision.problem_id} was handled a "
                               "moment ago by someone else")
        if bad:
            more = f" (and {len(bad) - 1} more bad line(s))" if len(bad) > 1 else ""
            raise ProblemError(f"{path.name} refused, nothing recorded: {bad[0]}{more}")
    return len(rows)


# -- open problems for status and the run email ---------------------------------------------
@dataclass
class FileProblems:
    file_name: str
    domain: str
    is_new: bool
    count: int = 0
    reasons: list[str] = field(default_factory=list)


@dataclass
class OpenProblems:
    open: int = 0
    new: int = 0
    handled: int = 0
    files: list[FileProblems] = field(default_factory=list)

    @property
    def still_open(self) -> int:
        return self.open - self.new


def previous_run_id(conn, run_id: int | None = None) -> int | None:
    """The scheduled run before ``run_id`` (before the latest run when None)."""
    with conn.cursor() as cur:
        if run_id is None:
            cur.execute(f"select max(run_id) from {RAW_SCHEMA}.run_log where verb = 'run'")
            run_id = cur.fetchone()[0]
            if run_id is None:
                return None
        cur.execute(f"select max(run_id) from {RAW_SCHEMA}.run_log where verb = 'run' "
                    "and run_id < %s", (run_id,))
        return cur.fetchone()[0]


def open_problems(conn, run_id: int | None = None, reasons: int = 3) -> OpenProblems:
    """The open problems grouped per file, with the first ``reasons`` of each; new are
    those whose file arrived after the scheduled run before ``run_id`` (the latest
    run when None): what that run's email was the first to show."""
    summary = OpenProblems()
    if not table_exists(conn, "marts", "mart_problems"):
        return summary
    since = previous_run_id(conn, run_id) or 0
    with conn.cursor() as cur:
        cur.execute("select count(*) from marts.mart_problems where status = 'handled'")
        summary.handled = int(cur.fetchone()[0])
        cur.execute("select file_id, coalesce(file_name, '(no file)'), domain, "
                    "coalesce(first_seen_run_id, 0) > %s, line_number, problem_kind, "
                    "explanation, problem_id, field, field_value from marts.mart_problems "
                    "where status = 'open' "
                    "order by file_id desc nulls last, line_number nulls first, problem_kind, field",
                    (since,))
        groups: dict = {}
        for (file_id, name, domain, is_new, line, kind, explanation, pid, field_name,
             value) in cur.fetchall():
            group = groups.get(file_id)
            if group is None:
                group = groups[file_id] = FileProblems(name, domain, bool(is_new))
                summary.files.append(group)
            group.count += 1
            summary.open += 1
            summary.new += bool(is_new)
            if len(group.reasons) < reasons:
                where = f"line {line} " if line is not None else ""
                what = f" ({field_name} {_quoted(value)})" if field_name else ""
                group.reasons.append(f"{where}{kind}{what}: {explanation} [{pid}]")
    return summary


def _quoted(value, width: int = 40) -> str:
    if value is None:
        return "empty"
    text = str(value)
    return repr(text if len(text) <= width else text[:width] + "...")


def problem_lines(summary: OpenProblems, files: int = 20) -> list[str]:
    """The open problems as text lines (the run email and the printed summary)."""
    if not summary.open:
        return [f"No open problems ({summary.handled} handled)." if summary.handled
                else "No open problems."]
    lines = [f"Problems that need a person: {summary.open} open ({summary.new} new since the "
             f"last run, {summary.still_open} still open), {summary.handled} handled "
             "(python cli.py handle PROBLEM_ID --note ...; ids in marts.mart_problems)"]
    for group in summary.files[:files]:
        flag = "new, " if group.is_new else ""
        lines.append(f"  {group.file_name} ({flag}{group.domain}): {group.count} open")
        lines.extend(f"    {reason}" for reason in group.reasons)
        if group.count > len(group.reasons):
            lines.append(f"    ... and {group.count - len(group.reasons)} more")
    if len(summary.files) > files:
        lines.append(f"  ... and {len(summary.files) - files} more file(s)")
    return lines
