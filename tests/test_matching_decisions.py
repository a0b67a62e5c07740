"""People decide what the matching models cannot: ops.match_decisions and
ops.match_weights, `load match_decisions`, `match review` and `match estimate`,
against the real models and database.
"""

from __future__ import annotations

from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest

from loaders.matching.decisions import (
    MatchDecisionError,
    check,
    decision,
    read_decisions,
)
from tests.helpers import run_cli


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def refused(result, *words: str) -> str:
    """Exit 1 with one line on stderr, no traceback, naming each word."""
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the ops tables ------------------------------------------------------------------------
@pytest.fixture
def ops_conn(db_url):
    from loaders.core.db import ensure_schema
    from loaders.core.formats import registry

    conn = psycopg2.connect(db_url)
    conn.autocommit = True
    ensure_schema(conn, registry().values())
    yield conn
    conn.close()


def insert(conn, decision, record_id=None, person_id=None, other_person_id=None):
    with conn.cursor() as cur:
        cur.execute("insert into ops.match_decisions (decision, record_id, person_id, "
                    "other_person_id, decided_by, source) values (%s, %s, %s, %s, 'dana', 't')",
                    (decision, record_id, person_id, other_person_id))


@pytest.mark.parametrize("row", [
    ("merge", "1:2", "P1", None),                 # not a decision
    ("same_person", "1:2", None, None),           # same as whom?
    ("same_person", None, "P1", None),            # which record?
    ("new_person", "1:2", "P1", None),            # new, yet a person
    ("new_person", None, None, None),             # which record?
    ("persons_same", None, "P1", None),           # one person only
    ("persons_same", None, "P1", "P1"),           # the same person twice
    ("persons_same", "1:2", "P1", "P2"),          # a record too
])
def test_match_decisions_refuses_a_row_that_does_not_fit_its_decision(ops_conn, row):
    with pytest.raises(psycopg2.errors.CheckViolation):
        insert(ops_conn, *row)


def test_a_record_is_decided_once_and_a_pair_of_persons_once_in_either_order(ops_conn):
    insert(ops_conn, "same_person", "1:2", "P1")
    insert(ops_conn, "new_person", "1:3")
    insert(ops_conn, "persons_same", None, "P1", "P2")
    for row in (("new_person", "1:2"), ("same_person", "1:3", "P2"),
                ("persons_same", None, "P2", "P1"), ("persons_same", None, "P1", "P2")):
        with pytest.raises(psycopg2.errors.UniqueViolation):
            insert(ops_conn, *row)
    # A person may be in many pairs, and a record's person in a pair.
    insert(ops_conn, "persons_same", None, "P1", "P3")
    with ops_conn.cursor() as cur:
        cur.execute("select count(*), min(decided_at) > now() - interval '5 minutes' "
                    "from ops.match_decisions")
        assert cur.fetchone() == (4, True)


def test_match_weights_keeps_one_row_per_estimate_comparison_and_level(ops_conn):
    with ops_conn.cursor() as cur:
        cur.execute("insert into ops.match_weights (estimate_id, comparison, level, "
                    "m_probability, u_probability, estimated_by) "
                    "values (1, 'birth_date', 'exact', 0.9, 0.01, 'dana')")
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("insert into ops.match_weights (estimate_id, comparison, level, "
                        "m_probability, u_probability, estimated_by) "
                        "values (1, 'birth_date', 'exact', 0.8, 0.02, 'dana')")
        with pytest.raises(psycopg2.errors.CheckViolation):
            cur.execute("insert into ops.match_weights (estimate_id, comparison, level, "
                        "m_probability, u_probability, estimated_by) "
                        "values (2, 'birth_date', 'exact', 1.5, 0.02, 'dana')")


# -- the decisions file, before any database is read ---------------------------------------
def test_the_header_is_matched_after_trimming_case_and_bom(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("\ufeff Record_ID , decision,PERSON_ID,reason\r\n"
                     "7:2,same_person, P1 ,\"born 1990,\nsame email\"\r\n"
                     ",,,\r\n"
                     "7:4,new_person,,\r\n".encode())
    rows = read_decisions(path)
    assert rows == [(2, decision("same_person", "7:2", "P1", reason="born 1990,\nsame email")),
                    (5, decision("new_person", "7:4"))]
    assert rows[0][1].person_id == "P1" and rows[1][1].person_id is None


@pytest.mark.parametrize(("text", "words"), [
    ("record_id,decision\n", ["missing column(s) person_id"]),
    ("record_id,decision,person_id,note\n", ["unknown column(s) note"]),
    ("record_id,decision,person_id,person_id\n", ["repeated column(s) person_id"]),
])
def test_a_header_that_does_not_fit_is_refused_on_line_1(tmp_path, text, words):
    with pytest.raises(MatchDecisionError) as exc:
        read_decisions(write(tmp_path, "d.csv", text))
    assert str(exc.value).startswith("d.csv line 1: ")
    assert all(w in str(exc.value) for w in words), str(exc.value)


def test_not_utf8_and_a_missing_file_are_refused(tmp_path):
    (tmp_path / "d.csv").write_bytes(b"record_id,decision,person_id\n1:2,same_person,J\xf6rg\n")
    with pytest.raises(MatchDecisionError, match="d.csv: not UTF-8"):
        read_decisions(tmp_path / "d.csv")
    with pytest.raises(MatchDecisionError, match="no such file"):
        read_decisions(tmp_path / "none.csv")


@pytest.mark.parametrize(("d", "words"), [
    (decision("same", "1:2", "P1"),
     ["decision 'same' is not one of same_person, new_person, persons_same"]),
    (decision("", "1:2", "P1"), ["decision empty is not one of"]),
    (decision("same_person", "1:2"), ["same_person needs a record_id and the person_id"]),
    (decision("same_person", "1:2", "P1", "P2"), ["same_person takes no other_person_id"]),
    (decision("new_person", "1:2", "P1"), ["new_person takes no person_id"]),
    (decision("persons_same", "1:2", "P1", "P2"), ["persons_same takes no record_id"]),
    (decision("persons_same", None, "P1", " P1 "), ["persons_same names P1 twice"]),
])
def test_a_decision_that_does_not_fit_its_kind_is_refused_before_any_lookup(d, words):
    # No cursor: the shape is judged before anything is read.
    reason = check(None, d, {})
    assert reason and all(w in reason for w in words), reason


def test_load_match_decisions_before_a_build_says_to_build(tmp_path, db_url):
    path = write(tmp_path, "d.csv", "record_id,decision,person_id\n1:2,new_person,\n")
    refused(run_cli("load", "match_decisions", str(path), cwd=tmp_path),
            "marts.mart_person_matches is not built yet: run `build` first")
    refused(run_cli("match", "review", cwd=tmp_path), "not built yet")


# -- the review's answers and the estimate's rule, without a database ---------------------
def a_case(candidates: int):
    from loaders.matching.review import Candidate, Case

    return Case("7:3", None, "sat.csv", 3, "two candidates", {}, candidates=[
        Candidate(rank, f"P{rank}", 1.0, {}, [], [], {}, {}) for rank in
        range(1, candidates + 1)])


def test_an_answer_is_a_candidate_number_n_s_or_q_and_nothing_else():
    from loaders.matching.review import choose

    case = a_case(2)
    assert choose(case, " 2 ", "dana") == decision("same_person", "7:3", "P2",
                                                   decided_by="dana")
    assert choose(case, "N", None) == decision("new_person", "7:3")
    assert choose(case, "s", None) == "s" and choose(case, "q", None) == "q"
    for answer in ("3", "0", "", "yes", "-1"):
        assert choose(case, answer, None) is None, answer
    assert choose(a_case(0), "1", None) is None


def test_a_comparison_with_fewer_than_50_labelled_pairs_is_held_back():
    from loaders.matching.estimate import MIN_PAIRS, Level, judge

    def level(comparison, name, pairs, m=0.9):
        return Level(comparison, name, 0.8, 0.1, 3.0, m, 0.05, 4.2, pairs, 400)

    made = judge([level("birth_date", "exact", MIN_PAIRS), level("birth_date", "other", 3),
                  level("email", "exact", MIN_PAIRS - 1), level("email", "other", 2),
                  level("last_name", "exact", 80), level("last_name", "other", 80, m=None),
                  level("ssn", "exact", 80, m=None)])
    assert set(made.held_back) == {"email", "ssn"}
    assert "49 labelled same-person pair(s), fewer than 50" in made.held_back["email"]
    assert "no level has a new m and u" in made.held_back["ssn"]
    # A level without a new m keeps the default; the others of its comparison are saved.
    assert [(lv.comparison, lv.level) for lv in made.saved_levels] == [
        ("birth_date", "exact"), ("birth_date", "other"), ("last_name", "exact")]


# -- against the real matching models ------------------------------------------------------
# Four persons: P1 known to the College Board as CB0001; P3 and P4 alike in all
# but email and address (one SAT record fits both: a potential match, never an
# automatic one); P2 unlike anyone in the SAT file.
PERSONS = ("person_id,last_name,first_name,middle_name,birth_date,email,ssn,gender,street1,"
           "street2,city,state,zip,country\n"
           "P1,Able,Ann,,2007-01-01,ann.able@example.org,,F,1 Main St,,Columbia,SC,29201,US\n"
           "P2,Baker,Ben,,2006-05-05,ben.baker@example.org,,M,2 Oak Ave,,Austin,TX,78701,US\n"
           "P3,Cole,Cara,,2006-07-07,cara.cole@example.org,,F,3 Elm St,,Boise,ID,83702,US\n"
           "P4,Cole,Cara,,2006-07-07,cara.c@example.org,,F,9 Park Rd,,Albany,NY,12207,US\n")
PERSON_IDS = "person_id,id_type,id_value\nP1,CB,CB0001\n"
# SAT lines 2, 3, 4: matched (P1 by its CB id), potential (P3 or P4), new.
SAT_RECORDS = [
    {"CB_ID": "CB0001", "NAME_FIRST": "Ann", "NAME_LAST": "Able", "BIRTH_DATE": "1/1/2007",
     "EMAIL": "ann.able@example.org", "ADDRESS_LINE1": "1 Main St", "ADDRESS_CITY": "Columbia",
     "ADDRESS_STATE": "SC", "ADDRESS_ZIP": "29201"},
    {"CB_ID": "CB0003", "NAME_FIRST": "Cara", "NAME_LAST": "Cole", "BIRTH_DATE": "7/7/2006",
     "EMAIL": "", "ADDRESS_LINE1": "", "ADDRESS_CITY": "", "ADDRESS_STATE": "",
     "ADDRESS_ZIP": ""},
    {"CB_ID": "CB0009", "NAME_FIRST": "Zed", "NAME_LAST": "Zimmer", "BIRTH_DATE": "3/3/2005",
     "EMAIL": "zed@example.net", "ADDRESS_LINE1": "7 Lake Rd", "ADDRESS_CITY": "Tucson",
     "ADDRESS_STATE": "AZ", "ADDRESS_ZIP": "85701"},
]
# Then 55 students each known by a CB id and matched by it: enough same-person
# pairs (50) for `match estimate` to have something to save.
KNOWN = [(f"K{i:02d}", first, last, f"CBK{i:02d}", f"{1 + i % 12}/{1 + i % 28}/2006")
         for i, (first, last) in enumerate(
             (f, la) for f in ("Ada", "Bea", "Cy", "Dov", "Eli", "Fay", "Gus", "Hal", "Ida", "Jo",
                               "Kit")
             for la in ("Ford", "Gray", "Hunt", "Irwin", "Jade"))]
PERSONS += "".join(f"{pid},{last},{first},,2006-{int(bd.split('/')[0]):02d}-"
                   f"{int(bd.split('/')[1]):02d},{pid.lower()}@example.org,,,,,,,,\n"
                   for pid, first, last, _, bd in KNOWN)
PERSON_IDS += "".join(f"{pid},CB,{cb}\n" for pid, _, _, cb, _ in KNOWN)
SAT_RECORDS += [{"CB_ID": cb, "NAME_FIRST": first, "NAME_LAST": last, "BIRTH_DATE": bd,
                 "EMAIL": f"{pid.lower()}@example.org"} for pid, first, last, cb, bd in KNOWN]
SCORES = {"LATEST_SAT_DATE": "10/12/2025", "LATEST_SAT_TOTAL": "1310",
          "LATEST_SAT_EBRW": "670", "LATEST_SAT_MATH_SECTION": "640"}
# The matching marts and all they read, without their data tests (this module
# checks what people decide, not the models' data; a template build with the
# tests took twice as long).
MATCHING = ("dbt", "build", "--select", "+models/marts/matching", "--exclude-resource-type",
            "test", "--exclude-resource-type", "unit_test")
# What a decision changes: the outcomes and the matching models and marts
# after them (the evaluation models after them read what this template does
# not build).
AFTER_DECISIONS = ("build", "--select", "int_matching__outcomes+,path:models/intermediate/matching "
                   "int_matching__outcomes+,path:models/marts/matching")
MATCHED, POTENTIAL, NEW = "3:2", "3:3", "3:4"


def sat_file(path: Path, records: list[dict]) -> Path:
    """A SAT file with the sample's 860-column header and only these values."""
    import csv

    from tests.helpers import SAMPLES

    with open(SAMPLES / "sat_sample.csv", newline="", encoding="utf-8-sig") as f:
        header = next(csv.reader(f))
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, restval="")
        writer.writeheader()
        for record in records:
            writer.writerow({**SCORES, **record})
    return path


def prepare(folder: Path, env: dict) -> None:
    ok(run_cli("load", "persons", str(write(folder, "persons.csv", PERSONS)), cwd=folder,
               env=env))
    ok(run_cli("load", "person_ids", str(write(folder, "person_ids.csv", PERSON_IDS)),
               cwd=folder, env=env))
    ok(run_cli("load", "sat_csv", str(sat_file(folder / "sat.csv", SAT_RECORDS)), cwd=folder,
               env=env))
    ok(run_cli(*MATCHING, cwd=folder, env=env, timeout=900))
    # The file's id is in every record_id: the constants above hold only if the
    # SAT file is the third file received.
    (file_id,), = _query(env["SCOREBRIDGE_DATABASE_URL"],
                         "select file_id from raw.file_manifest where original_name = 'sat.csv'")
    assert f"{file_id}:2" == MATCHED, file_id


def _query(url: str, query: str, args: tuple = ()):
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(query, args)
            return cur.fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def matching_template(pg_admin_url, tmp_path_factory):
    from tests.pg import make_template

    folder = tmp_path_factory.mktemp("matching")
    with make_template(pg_admin_url, lambda url: prepare(
            folder, {"SCOREBRIDGE_DATABASE_URL": url})) as name:
        yield name


def test_the_case_shows_record_and_candidates_side_by_side_marked_agree_or_disagree():
    from loaders.core.ui_console import out_console
    from loaders.matching.review import Candidate, Case, render

    case = Case("7:3", None, "sat.csv", 3, "two candidates alike",
                {"first_name": "Cara", "last_name": "Cole", "email": None},
                comparisons=["first_name", "email"])
    case.candidates = [
        Candidate(1, "P3", 7.5, {"first_name": "Cara", "email": "cara.cole@example.org"},
                  ["first_name"], ["email"], {"first_name": "exact", "email": "different"},
                  {"first_name": 3.1, "email": -2.0}),
        Candidate(2, "P4", 7.5, {"first_name": "Kara", "email": "c@example.org"},
                  [], [], {"first_name": "close", "email": None}, {"first_name": 1.2})]
    with out_console().capture() as captured:
        render(case, 1, 2)
    text = captured.get()
    for words in ("Case 1 of 2: record 7:3 (sat.csv line 3)", "1: P3", "2: P4",
                  "Cara (agree)", "cara.cole@example.org (disagree)", "Kara (close)",
                  "exact 3.10", "different -2.00", "7.50", "two candidates alike"):
        assert words in text, (words, text)


@pytest.fixture
def conn(db_url):
    conn = psycopg2.connect(db_url)
    conn.autocommit = True
    yield conn
    conn.close()


def outcome(sql, record_id: str):
    rows = sql("select outcome, person_id, match_rule, decision_id is not null, decided_by "
               "from marts.mart_person_matches where record_id = %s", (record_id,))
    assert len(rows) == 1, rows
    return rows[0]


def decisions(sql):
    return sql("select decision, record_id, person_id, other_person_id, reason, decided_by, "
               "source, decided_at > now() - interval '5 minutes' from ops.match_decisions "
               "order by decision_id")


@pytest.mark.db_from("matching_template")
def test_the_template_has_one_matched_one_potential_and_one_new_record(sql):
    assert outcome(sql, MATCHED)[:2] == ("matched", "P1")
    assert outcome(sql, POTENTIAL)[:2] == ("potential", None)
    assert outcome(sql, NEW)[:2] == ("new", None)
    assert sql("select count(*) from marts.mart_person_matches where outcome = 'matched' "
               "and person_id like 'K%%'") == [(len(KNOWN),)]
    assert sql("select distinct record_id from marts.mart_match_review_queue") == [(POTENTIAL,)]
    assert sql("select candidate_person_id from marts.mart_match_review_queue "
               "order by candidate_person_id") == [("P3",), ("P4",)]


@pytest.mark.db_from("matching_template")
def test_load_match_decisions_records_every_line_then_the_build_applies_them(tmp_path, sql):
    import getpass

    path = write(tmp_path, "decisions.csv",
                 "record_id,decision,person_id,other_person_id,reason,decided_by\n"
                 f"{POTENTIAL},same_person,P3,,same school and birth date,dana\n"
                 f"{NEW},new_person,,,,\n"
                 ",persons_same,P1,P2,one student twice,lee\n")
    out = ok(run_cli("load", "match_decisions", str(path), cwd=tmp_path))
    assert "decisions.csv: 3 match decision(s) recorded; the next `build` applies them" \
        in out.stdout
    assert decisions(sql) == [
        ("same_person", POTENTIAL, "P3", None, "same school and birth date", "dana",
         "decisions.csv", True),
        ("new_person", NEW, None, None, None, getpass.getuser(), "decisions.csv", True),
        ("persons_same", None, "P1", "P2", "one student twice", "lee", "decisions.csv", True)]
    # Until the next build the marts are as they were.
    assert outcome(sql, POTENTIAL)[:2] == ("potential", None)

    ok(run_cli(*AFTER_DECISIONS, cwd=tmp_path, timeout=900))
    assert outcome(sql, POTENTIAL) == ("matched", "P3", "decision: same_person", True, "dana")
    assert outcome(sql, NEW)[:3] == ("new", None, "decision: new_person")
    assert sql("select count(*) from marts.mart_match_review_queue") == [(0,)]

    # The same record again, from another file: refused, naming who decided it.
    again = write(tmp_path, "again.csv", f"record_id,decision,person_id\n{POTENTIAL},"
                                          "same_person,P4\n")
    refused(run_cli("load", "match_decisions", str(again), cwd=tmp_path),
            "again.csv refused, nothing recorded", "again.csv line 2",
            f"record {POTENTIAL} was already decided (same_person P3) by dana at",
            "(decisions.csv)")
    assert len(decisions(sql)) == 3


@pytest.mark.db_from("matching_template")
@pytest.mark.parametrize(("lines", "words"), [
    (["9:9,same_person,P3"], ["line 2: record_id 9:9 is not in marts.mart_person_matches"]),
    ([f"{POTENTIAL},same_person,P9"],
     ["line 2: person_id P9 is not one of the organisation's persons"]),
    ([f"{POTENTIAL},same_person,P3", f"{POTENTIAL},new_person,"],
     [f"line 3: record {POTENTIAL} is decided twice in this file (line 2 too)"]),
    ([",persons_same,P1,P2", ",persons_same,P2,P1"],
     ["line 3: persons P1 and P2 are joined twice in this file (line 2 too)"]),
    ([f"{POTENTIAL},merge,P3"],
     ["decision 'merge' is not one of same_person, new_person, persons_same"]),
    ([f"{NEW},new_person,", f"{POTENTIAL},same_person"],
     ["line 3: the number of fields does not fit the header"]),
])
def test_a_bad_line_refuses_the_whole_file_and_nothing_is_written(tmp_path, sql, conn, lines,
                                                                   words):
    from loaders.matching.decisions import load_decisions

    header = ("record_id,decision,person_id,other_person_id" if "persons_same" in lines[0]
              else "record_id,decision,person_id")
    # A good line first: refused with the rest.
    path = write(tmp_path, "bad.csv", header + "\n" + "\n".join(lines) + "\n")
    with pytest.raises(MatchDecisionError) as exc:
        load_decisions(conn, path)
    assert str(exc.value).startswith("bad.csv refused, nothing recorded: bad.csv line ")
    assert all(w in str(exc.value) for w in words), str(exc.value)
    assert decisions(sql) == []


@pytest.mark.db_from("matching_template")
def test_a_pair_of_persons_already_recorded_is_refused_in_either_order(tmp_path, sql, conn):
    from loaders.matching.decisions import load_decisions

    first = write(tmp_path, "first.csv", "record_id,decision,person_id,other_person_id,"
                                         "decided_by\n,persons_same,P3,P4,lee\n")
    assert load_decisions(conn, first) == 1
    second = write(tmp_path, "second.csv", "record_id,decision,person_id,other_person_id\n"
                                           f"{NEW},new_person,,\n,persons_same,P4,P3\n")
    with pytest.raises(MatchDecisionError) as exc:
        load_decisions(conn, second)
    assert ("second.csv line 3: persons P3 and P4 were already recorded as one by lee at"
            in str(exc.value)), str(exc.value)
    # The file's good line was not recorded either.
    assert [d[0] for d in decisions(sql)] == ["persons_same"]


def answered(*args: str, cwd: Path, answers: str):
    """The CLI in a child process, its prompts answered from standard input."""
    import os
    import subprocess
    import sys

    from tests.helpers import ROOT

    env = {**os.environ, "SCOREBRIDGE_STATE_DIR": str(cwd / ".state"), "COLUMNS": "160"}
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=cwd, env=env,
                          input=answers, capture_output=True, text=True, timeout=600)


def review_cli(*args: str, cwd: Path, answers: str):
    return answered("match", "review", *args, cwd=cwd, answers=answers)


@pytest.mark.db_from("matching_template")
def test_match_review_shows_the_case_and_records_the_chosen_candidate(tmp_path, sql):
    # A wrong answer is asked again; 1 is the best candidate; then a reason.
    out = ok(review_cli("--by", "dana", cwd=tmp_path, answers="x\n1\nsame school\n"))
    for words in (f"Case 1 of 1: record {POTENTIAL} (sat.csv line 3)", "1: P3", "2: P4",
                  "Cara (agree)", "Cole (agree)", "not an answer",
                  f"recorded: record {POTENTIAL} is person P3 (by dana)",
                  "1 decided, 0 skipped, 0 still waiting"):
        assert words in out.stdout, (words, out.stdout)
    assert decisions(sql) == [("same_person", POTENTIAL, "P3", None, "same school", "dana",
                               "review", True)]
    # Decided, not yet rebuilt: the queue has it, the review does not ask again.
    assert sql("select count(distinct record_id) from marts.mart_match_review_queue") == [(1,)]
    assert "No case waits for review." in ok(review_cli(cwd=tmp_path, answers="")).stdout
    refused(review_cli("--record", POTENTIAL, "--decision", "new_person", cwd=tmp_path,
                       answers=""), f"record {POTENTIAL} was already decided (same_person P3) "
                                    "by dana at", "(review)")
    assert len(decisions(sql)) == 1


@pytest.mark.db_from("matching_template")
def test_match_review_skip_quit_and_the_scripted_decision(tmp_path, sql):
    out = ok(review_cli(cwd=tmp_path, answers="s\n"))
    assert "0 decided, 1 skipped, 1 still waiting" in out.stdout, out.stdout
    out = ok(review_cli(cwd=tmp_path, answers="q\n"))
    assert "0 decided, 0 skipped, 1 still waiting" in out.stdout, out.stdout
    # The input ends at the reason: nothing half answered is recorded.
    ok(review_cli(cwd=tmp_path, answers="2\n"))
    assert decisions(sql) == []

    out = ok(review_cli("--record", POTENTIAL, "--decision", "same_person", "--person", "P4",
                        "--reason", "checked by phone", "--by", "lee", cwd=tmp_path,
                        answers=""))
    assert f"recorded: record {POTENTIAL} is person P4 (by lee)" in out.stdout
    assert decisions(sql) == [("same_person", POTENTIAL, "P4", None, "checked by phone", "lee",
                               "review", True)]
    refused(review_cli("--record", POTENTIAL, cwd=tmp_path, answers=""), "go with --decision")
    # Each run is in the run log, the refused one as failed with its reason.
    runs = sql("select verb, status, message from raw.run_log where verb like %s "
               "order by run_id", ("match %",))
    assert [(verb, status) for verb, status, _ in runs] == [("match review", "ok")] * 4 + [
        ("match review", "failed")]
    assert "go with --decision" in runs[-1][2]


def test_a_saved_estimate_is_the_next_id_and_carries_the_comparisons_held_back(ops_conn):
    from loaders.matching.estimate import EstimateError, Level, judge, save

    def level(comparison, name, pairs, m):
        return Level(comparison, name, None, None, None, m, 0.01, None, pairs, 500)

    first = save(ops_conn, judge([level("email", "exact", 60, 0.7),
                                  level("ssn", "exact", 60, 0.9)]), "dana")
    assert (first.estimate_id, first.levels, first.carried) == (1, 2, 0)
    # ssn has too few pairs now: it keeps estimate 1's row, with its own who.
    second = save(ops_conn, judge([level("email", "exact", 70, 0.65),
                                   level("ssn", "exact", 10, 0.5)]), "lee")
    assert (second.estimate_id, second.comparisons, second.carried) == (2, ["email"], 1)
    with ops_conn.cursor() as cur:
        cur.execute("select estimate_id, comparison, m_probability, estimated_by "
                    "from ops.match_weights order by 1, 2")
        assert cur.fetchall() == [(1, "email", 0.7, "dana"), (1, "ssn", 0.9, "dana"),
                                  (2, "email", 0.65, "lee"), (2, "ssn", 0.9, "dana")]
    with pytest.raises(EstimateError, match="email exact m = 0.0"):
        save(ops_conn, judge([level("email", "exact", 70, 0.0)]), "lee")
    with ops_conn.cursor() as cur:
        cur.execute("select max(estimate_id) from ops.match_weights")
        assert cur.fetchone() == (2,)


@pytest.mark.db_from("matching_template")
def test_match_estimate_shows_old_and_new_and_saves_the_comparisons_with_enough_pairs(
        tmp_path, sql):
    out = ok(run_cli("match", "estimate", "--yes", "--by", "dana", cwd=tmp_path, timeout=600))
    levels = sql("select comparison, level, m_probability, u_probability, m_pairs "
                 "from intermediate.int_matching__weight_estimates")
    pairs: dict[str, int] = {}
    for comparison, _, _, _, m_pairs in levels:
        pairs[comparison] = max(pairs.get(comparison, 0), m_pairs or 0)
    enough = {c for c, n in pairs.items() if n >= 50}
    assert enough, f"no comparison has 50 labelled pairs in the template: {pairs}"
    expected = sorted((c, lv, float(m), float(u)) for c, lv, m, u, _ in levels
                      if c in enough and m is not None and u is not None)
    saved = sql("select comparison, level, m_probability, u_probability from ops.match_weights "
                "where estimate_id = 1 and estimated_by = 'dana' order by 1, 2")
    assert saved == expected
    assert "Match weights: in use and estimated from the labelled pairs" in out.stdout
    assert "saved estimate 1 by dana" in out.stdout and "the next `build` uses them" in out.stdout
    for comparison in set(pairs) - enough:
        assert f"{comparison}: not saved, {pairs[comparison]} labelled" in out.stdout

    # Without --yes it asks, and no (the default) saves nothing.
    out = ok(answered("match", "estimate", cwd=tmp_path, answers="\n"))
    assert "Save these weights?" in out.stdout and "Not saved" in out.stdout
    assert sql("select max(estimate_id) from ops.match_weights") == [(1,)]
