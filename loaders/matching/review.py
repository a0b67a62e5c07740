"""``match review``: a person goes through the cases the matching models could
not settle, oldest first, and decides each (same person, new person, skip).

The cases are ``marts.mart_match_review_queue`` (one row per record and
candidate; a record with no candidate has one row without one). A case
decided in ``ops.match_decisions`` since the last build is left out: the next
build applies it and it leaves the queue. Every decision goes through
``decisions.record_one``, the same checks as a decisions file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from loaders.core.db import table_exists
from loaders.matching.decisions import Decision, MatchDecisionError, decision, record_one

QUEUE = ("marts", "mart_match_review_queue")
# The record's fields shown side by side with each candidate's, in this order;
# any other record_<field>/candidate_<field> pair of the queue follows them.
FIELDS = ("first_name", "middle_name", "last_name", "birth_date", "gender", "email", "address",
          "ssn_last4")


@dataclass
class Candidate:
    rank: int
    person_id: str
    score: float | None
    values: dict[str, object]
    agreed: list[str]
    disagreed: list[str]
    levels: dict[str, object]
    weights: dict[str, object]
    # comparison -> agree, close, disagree or missing (the level's agreement)
    agreements: dict[str, object] = field(default_factory=dict)


@dataclass
class Case:
    record_id: str
    waiting_since: object
    file_name: str | None
    line_number: int | None
    reason: str | None
    values: dict[str, object]
    candidates: list[Candidate] = field(default_factory=list)
    comparisons: list[str] = field(default_factory=list)
    fields: tuple[str, ...] = FIELDS


@dataclass
class ReviewSummary:
    decided: list[Decision] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    quit: bool = False
    left: int = 0


def require_queue(conn) -> None:
    if not table_exists(conn, *QUEUE):
        raise MatchDecisionError(f"{'.'.join(QUEUE)} is not built yet: run `build` first")


def waiting(conn, skipped: set[str] | frozenset = frozenset()) -> list[str]:
    """The records waiting for a person, oldest first, less those decided since
    the last build and those skipped in this review."""
    with conn.cursor() as cur:
        cur.execute("select q.record_id from marts.mart_match_review_queue as q "
                    "where not exists (select 1 from ops.match_decisions as d "
                    "where d.record_id = q.record_id) "
                    "group by q.record_id order by min(q.waiting_since), q.record_id")
        return [r[0] for r in cur.fetchall() if r[0] not in skipped]


def _names(value) -> list[str]:
    """A text list of comparisons ('a b', 'a, b' or an array) as names."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part for part in re.split(r"[\s,;|]+", str(value).strip("{}")) if part]


def load_case(conn, record_id: str) -> Case | None:
    """One record of the queue with its candidates, best first."""
    with conn.cursor() as cur:
        cur.execute("select * from marts.mart_match_review_queue where record_id = %s "
                    "order by candidate_rank nulls first, candidate_person_id", (record_id,))
        names = [c.name for c in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    if not rows:
        return None
    first = rows[0]
    comparisons = [n[:-len("_level")] for n in names if n.endswith("_level")]
    shown = [f for f in FIELDS if f"record_{f}" in names or f"candidate_{f}" in names]
    shown += [n[len("record_"):] for n in names if n.startswith("record_")
              and n != "record_id" and n[len("record_"):] not in shown]
    case = Case(record_id, first.get("waiting_since"), first.get("file_name"),
                first.get("line_number"), first.get("reason"),
                {f: first.get(f"record_{f}") for f in shown}, comparisons=comparisons,
                fields=tuple(shown))
    for row in rows:
        if row.get("candidate_rank") is None or row.get("candidate_person_id") is None:
            continue
        case.candidates.append(Candidate(
            int(row["candidate_rank"]), str(row["candidate_person_id"]), row.get("score"),
            {f: row.get(f"candidate_{f}") for f in shown}, _names(row.get("agreed")),
            _names(row.get("disagreed")), {c: row.get(f"{c}_level") for c in comparisons},
            {c: row.get(f"{c}_weight") for c in comparisons},
            {c: row.get(f"{c}_agreement") for c in comparisons}))
    return case


def _comparison_of(field_name: str, comparisons: list[str]) -> str | None:
    """The comparison that judges a shown field (same name, or one names the
    other: ssn for ssn_last4, vendor_id for vendor_person_id)."""
    for c in comparisons:
        if c == field_name:
            return c
    for c in comparisons:
        if field_name.startswith(c) or field_name.startswith(c.split("_")[0] + "_"):
            return c
    return None


def _agreement(cand: Candidate, comparison: str | None) -> str | None:
    """agree, close, disagree (or missing): the level's own word, else the lists."""
    if comparison is None:
        return None
    word = cand.agreements.get(comparison)
    if word is not None:
        return str(word)
    if comparison in cand.agreed:
        return "agree"
    if comparison in cand.disagreed:
        return "disagree"
    return None


def agreement_of(cand: Candidate, field_name: str,
                 comparisons: list[str]) -> tuple[str | None, object]:
    """(agree, close, disagree, missing or None; the level) of one shown field of
    a candidate, as the comparison that judges it says."""
    comparison = _comparison_of(field_name, comparisons)
    return _agreement(cand, comparison), (cand.levels.get(comparison) if comparison else None)


def _text(value) -> str:
    return "" if value is None else str(value)


def _number(value) -> str:
    if value is None:
        return ""
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return str(value)


def render(case: Case, position: int, total: int) -> None:
    """The record and its candidates side by side; each candidate's field marked
    agree (green) or disagree (red) as its comparison's level says."""
    from rich.markup import escape
    from rich.table import Table

    from loaders.core.ui_console import out_console

    where = f"{case.file_name or '(no file)'} line {case.line_number}"
    title = (f"Case {position} of {total}: record {case.record_id} ({where}), waiting since "
             f"{case.waiting_since:%Y-%m-%d}" if case.waiting_since is not None else
             f"Case {position} of {total}: record {case.record_id} ({where})")
    table = Table(title=escape(title), caption=escape(case.reason or ""))
    table.add_column("field")
    table.add_column("record")
    for cand in case.candidates:
        table.add_column(escape(f"{cand.rank}: {cand.person_id}"))
    colours = {"agree": "green", "close": "yellow", "disagree": "red"}
    for name in case.fields:
        cells = [name, escape(_text(case.values.get(name)))]
        for cand in case.candidates:
            value = escape(_text(cand.values.get(name)))
            word, level = agreement_of(cand, name, case.comparisons)
            if word in colours:
                detail = word if word != "close" or level is None else f"close: {level}"
                cells.append(f"[{colours[word]}]{value} ({escape(detail)})[/{colours[word]}]")
            elif level is not None and word != "missing":
                cells.append(f"{value} ({escape(_text(level))})")
            else:
                cells.append(value)
        table.add_row(*cells)
    if case.candidates:
        table.add_section()
        table.add_row("score", "", *[_number(c.score) for c in case.candidates])
        for comparison in case.comparisons:
            table.add_row(escape(comparison), "", *[
                escape(f"{_text(c.levels.get(comparison))} {_number(c.weights.get(comparison))}")
                for c in case.candidates])
    out_console().print(table)


def prompt_text(case: Case) -> str:
    if not case.candidates:
        return "No candidate: n = new person, s = skip, q = quit"
    numbers = "1" if len(case.candidates) == 1 else f"1-{len(case.candidates)}"
    return f"{numbers} = same person as that candidate, n = new person, s = skip, q = quit"


def choose(case: Case, answer: str, by: str | None) -> Decision | str | None:
    """The decision an answer stands for; 'q' or 's'; None when it is not an answer."""
    answer = answer.strip().lower()
    if answer in ("q", "s"):
        return answer
    if answer == "n":
        return decision("new_person", case.record_id, decided_by=by)
    if answer.isdigit():
        chosen = [c for c in case.candidates if c.rank == int(answer)]
        if not chosen and 1 <= int(answer) <= len(case.candidates):
            chosen = [case.candidates[int(answer) - 1]]
        if chosen:
            return decision("same_person", case.record_id, chosen[0].person_id, decided_by=by)
    return None


def review(conn, by: str | None, ask: Callable[[str, str], str | None],
           say: Callable[[str], None]) -> ReviewSummary:
    """Shows the oldest waiting case, asks for a decision and records it, until
    the queue is empty or the person quits. ``ask(text, default)`` reads one
    answer (None at the end of input: the review stops, recording nothing
    half answered), ``say(text)`` shows a line."""
    require_queue(conn)
    summary = ReviewSummary()
    skipped: set[str] = set()
    while True:
        cases = waiting(conn, skipped)
        if not cases:
            break
        case = load_case(conn, cases[0])
        if case is None:  # rebuilt under us: the record left the queue
            skipped.add(cases[0])
            continue
        render(case, len(summary.decided) + len(summary.skipped) + 1,
               len(summary.decided) + len(summary.skipped) + len(cases))
        chosen = None
        while chosen is None:
            answer = ask(prompt_text(case), "")
            if answer is None:  # end of input or Ctrl-C: as q
                chosen = "q"
                break
            chosen = choose(case, answer, by)
            if chosen is None:
                say(f"not an answer: {prompt_text(case)}")
        if chosen == "s":
            skipped.add(case.record_id)
            summary.skipped.append(case.record_id)
            continue
        reason = None if chosen == "q" else ask("Reason (optional)", "")
        if reason is None:  # q, or the input ended before the reason: nothing recorded
            summary.quit = True
            break
        reason = reason.strip() or None
        chosen = decision(chosen.decision, chosen.record_id, chosen.person_id,
                          reason=reason, decided_by=by)
        try:
            recorded = record_one(conn, chosen, source="review")
        except MatchDecisionError as exc:
            say(f"not recorded: {exc}")
            skipped.add(case.record_id)
            summary.skipped.append(case.record_id)
            continue
        summary.decided.append(recorded)
        say(f"recorded: {recorded.describe()} (by {recorded.decided_by})")
    summary.left = len(waiting(conn))
    return summary
