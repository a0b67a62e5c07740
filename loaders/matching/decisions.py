"""What a person decides about a matching case: the ``load match_decisions``
file and the decisions ``match review`` takes one at a time.

Which records exist and how the models matched them is
``marts.mart_person_matches``; the organisation's persons are
``staging.stg_matching__persons``. This module only checks a decision against
them and records it in ``ops.match_decisions``; the next ``build`` applies it
(the models read it through ``stg_ops__match_decisions``).
"""

from __future__ import annotations

import csv
import getpass
import io
from dataclasses import dataclass
from pathlib import Path

import psycopg2.errors

from loaders.core.db import table_exists, transaction
from loaders.core.errors import ScorebridgeError

DECISIONS = ("same_person", "new_person", "persons_same")
REQUIRED_COLUMNS = ("record_id", "decision", "person_id")
OPTIONAL_COLUMNS = ("other_person_id", "reason", "decided_by")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MATCHES = ("marts", "mart_person_matches")
PERSONS = ("staging", "stg_matching__persons")
# How many bad lines the one error line spells out before counting the rest.
SHOWN_ERRORS = 3


class MatchDecisionError(ScorebridgeError):
    """A matching decision that cannot be recorded (unknown record or person,
    decided already, a bad decisions file)."""


@dataclass(frozen=True)
class Decision:
    decision: str
    record_id: str | None = None
    person_id: str | None = None
    other_person_id: str | None = None
    reason: str | None = None
    decided_by: str | None = None

    @property
    def pair(self) -> tuple[str, str] | None:
        """The two persons of a persons_same decision, in either order's one spelling."""
        if self.decision != "persons_same" or not self.person_id or not self.other_person_id:
            return None
        a, b = sorted((self.person_id, self.other_person_id))
        return a, b

    def describe(self) -> str:
        if self.decision == "same_person":
            return f"record {self.record_id} is person {self.person_id}"
        if self.decision == "new_person":
            return f"record {self.record_id} is a new person"
        return f"persons {self.person_id} and {self.other_person_id} are one person"


def default_person() -> str:
    """Who decides when decided_by or --by is not given: the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def decision(decision: str, record_id: str | None = None, person_id: str | None = None,
             other_person_id: str | None = None, reason: str | None = None,
             decided_by: str | None = None) -> Decision:
    """A decision with its values trimmed and empty ones as None."""
    def clean(value: str | None) -> str | None:
        value = (value or "").strip()
        return value or None

    return Decision((decision or "").strip(), clean(record_id), clean(person_id),
                    clean(other_person_id), clean(reason), clean(decided_by))


def require_models(conn) -> None:
    """The marts the checks read must be built."""
    for schema, table in (MATCHES, PERSONS):
        if not table_exists(conn, schema, table):
            raise MatchDecisionError(f"{schema}.{table} is not built yet: run `build` first")


def _shape(d: Decision) -> str | None:
    """Why the decision's values do not fit its kind, or None."""
    if d.decision not in DECISIONS:
        shown = f"'{d.decision}'" if d.decision else "empty"
        return f"decision {shown} is not one of {', '.join(DECISIONS)}"
    if d.decision == "same_person":
        if not d.record_id or not d.person_id:
            return "same_person needs a record_id and the person_id it is"
        if d.other_person_id:
            return "same_person takes no other_person_id (persons_same joins two persons)"
    elif d.decision == "new_person":
        if not d.record_id:
            return "new_person needs a record_id"
        if d.person_id or d.other_person_id:
            return "new_person takes no person_id: the record is nobody we know"
    else:
        if d.record_id:
            return "persons_same takes no record_id: it says two persons are one"
        if not d.person_id or not d.other_person_id:
            return "persons_same needs a person_id and an other_person_id"
        if d.person_id == d.other_person_id:
            return f"persons_same names {d.person_id} twice: give two different persons"
    return None


def _at(value) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else "an unknown time"


def check(cur, d: Decision, seen: dict) -> str | None:
    """Why ``d`` cannot be recorded, or None. ``seen`` holds what earlier lines of
    the same file decided (record or pair -> line number) and is updated."""
    reason = _shape(d)
    if reason:
        return reason
    if d.record_id:
        earlier = seen.get(("record", d.record_id))
        if earlier is not None:
            return f"record {d.record_id} is decided twice in this file (line {earlier} too)"
        cur.execute("select 1 from marts.mart_person_matches where record_id = %s limit 1",
                    (d.record_id,))
        if cur.fetchone() is None:
            return (f"record_id {d.record_id} is not in marts.mart_person_matches "
                    "(a record is '<file_id>:<line_number>'; see the mart or `match review`)")
        cur.execute("select decision, person_id, decided_by, decided_at, source "
                    "from ops.match_decisions where record_id = %s", (d.record_id,))
        row = cur.fetchone()
        if row is not None:
            kind, person, by, at, source = row
            what = f"{kind} {person}" if person else kind
            return (f"record {d.record_id} was already decided ({what}) by {by} at {_at(at)} "
                    f"({source})")
    pair = d.pair
    if pair:
        earlier = seen.get(("pair", pair))
        if earlier is not None:
            return (f"persons {pair[0]} and {pair[1]} are joined twice in this file "
                    f"(line {earlier} too)")
    for person in filter(None, (d.person_id, d.other_person_id)):
        cur.execute("select 1 from staging.stg_matching__persons where person_id = %s limit 1",
                    (person,))
        if cur.fetchone() is None:
            return (f"person_id {person} is not one of the organisation's persons "
                    "(staging.stg_matching__persons)")
    if pair:
        cur.execute("select decided_by, decided_at, source from ops.match_decisions "
                    "where decision = 'persons_same' and least(person_id, other_person_id) = %s "
                    "and greatest(person_id, other_person_id) = %s", pair)
        row = cur.fetchone()
        if row is not None:
            by, at, source = row
            return (f"persons {pair[0]} and {pair[1]} were already recorded as one by {by} "
                    f"at {_at(at)} ({source})")
    return None


def remember(d: Decision, line: int, seen: dict) -> None:
    if d.record_id:
        seen.setdefault(("record", d.record_id), line)
    if d.pair:
        seen.setdefault(("pair", d.pair), line)


def insert(cur, d: Decision, source: str) -> bool:
    """Records one checked decision; False when someone recorded the same case a
    moment ago (the unique indexes refuse the second)."""
    cur.execute("savepoint match_decision")
    try:
        cur.execute("insert into ops.match_decisions (decision, record_id, person_id, "
                    "other_person_id, reason, decided_by, source) "
                    "values (%s, %s, %s, %s, %s, %s, %s)",
                    (d.decision, d.record_id, d.person_id, d.other_person_id, d.reason,
                     d.decided_by or default_person(), source))
    except psycopg2.errors.UniqueViolation:
        cur.execute("rollback to savepoint match_decision")
        return False
    cur.execute("release savepoint match_decision")
    return True


def record_one(conn, d: Decision, source: str = "review") -> Decision:
    """Checks and records one decision (``match review``); refuses, writing
    nothing, what cannot be recorded."""
    require_models(conn)
    if not d.decided_by:
        d = Decision(d.decision, d.record_id, d.person_id, d.other_person_id, d.reason,
                     default_person())
    with transaction(conn) as cur:
        reason = check(cur, d, {})
        if reason is None and not insert(cur, d, source):
            reason = f"{d.describe()}: someone else decided this case a moment ago"
        if reason is not None:
            raise MatchDecisionError(reason)
    return d


# -- the decisions file ---------------------------------------------------------------------
def read_decisions(path: Path) -> list[tuple[int, Decision | None]]:
    """The decisions of a match_decisions CSV file with their physical line
    numbers; None for a line whose number of fields does not fit the header."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MatchDecisionError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise MatchDecisionError(f"{path}: a folder, not a decisions file") from None
    except UnicodeDecodeError:
        raise MatchDecisionError(f"{path.name}: not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))  # a quoted reason may hold line breaks
    header = [h.strip().lstrip("\ufeff").strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or repeated:
        detail = "; ".join(filter(None, [
            missing and "missing column(s) " + ", ".join(missing),
            unknown and "unknown column(s) " + ", ".join(unknown),
            repeated and "repeated column(s) " + ", ".join(repeated)]))
        raise MatchDecisionError(f"{path.name} line 1: {detail} (columns: "
                                 f"{', '.join(REQUIRED_COLUMNS)}[, {', '.join(OPTIONAL_COLUMNS)}])")
    rows: list[tuple[int, Decision | None]] = []
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
        rows.append((line, decision(cells["decision"], cells["record_id"], cells["person_id"],
                                    cells.get("other_person_id"), cells.get("reason"),
                                    cells.get("decided_by"))))
    return rows


def load_decisions(conn, path: Path) -> int:
    """Records every decision of the file, or none: the whole file is checked
    first, and any bad line refuses it with the file, line and reason. Returns
    how many were recorded."""
    require_models(conn)
    rows = read_decisions(path)
    if not rows:
        raise MatchDecisionError(f"{path.name}: no decisions in the file")
    user = default_person()
    bad: list[str] = []
    with transaction(conn) as cur:
        seen: dict = {}
        checked = []
        for line, d in rows:
            if d is None:
                bad.append(f"{path.name} line {line}: the number of fields does not fit "
                           "the header")
                continue
            if not d.decided_by:
                d = Decision(d.decision, d.record_id, d.person_id, d.other_person_id,
                             d.reason, user)
            reason = check(cur, d, seen)
            remember(d, line, seen)
            if reason:
                bad.append(f"{path.name} line {line}: {reason}")
            else:
                checked.append((line, d))
        if not bad:
            for line, d in checked:
                if not insert(cur, d, path.name):
                    bad.append(f"{path.name} line {line}: {d.describe()}: someone else "
                               "decided this case a moment ago")
        if bad:
            shown = "; ".join(bad[:SHOWN_ERRORS])
            more = f" (and {len(bad) - SHOWN_ERRORS} more bad line(s))" \
                if len(bad) > SHOWN_ERRORS else ""
            raise MatchDecisionError(f"{path.name} refused, nothing recorded: {shown}{more}")
    return len(checked)
