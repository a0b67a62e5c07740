"""What the review pages' tests stand on: a database with potential matches waiting,
a score error and a quarantined file, loaded through the real CLI and built once
(`review_template`); tests take copies with ``@pytest.mark.db_from("review_template")``.

Files received, in order (each file's id is in its records' ids):
1 persons.csv, 2 person_ids.csv, 3 sat.csv, 4 sat_drift.csv.

sat.csv, lines 2 to 6:
- 2 Ann Able, matched to P1 by her College Board id;
- 3 Cara Cole, no email or address: alike P3 and P4 (twins in all but email and
  address), a potential match with two candidates;
- 4 a record whose names carry HTML and a script, as does its one candidate P5:
  potential (names and birth date agree; nothing else to tell);
- 5 Dan Dorsey, names and birth date of P6 only: potential with one candidate;
- 6 Zed Zimmer, like no one (new), with a total score of 1700 (over 1600): a
  score error on sat.csv line 6.
sat_drift.csv lacks the CB_ID column every SAT layout requires: quarantined whole.

No SAT layout maps an SSN (seeds/layouts/layout_fields.csv has no `ssn` role), so no
record here has one and no case shows SSN digits.

The filler persons (F01..) keep each name rare enough among the persons for
names and birth date to score between the review threshold (17) and the automatic
one (25): with many more persons a lone candidate would be matched automatically,
with far fewer the twins would fall under review into "new".
"""

from __future__ import annotations

import csv
from pathlib import Path

import psycopg2
import pytest

from tests.helpers import SAMPLES, run_cli

MARKUP_FIRST = "<b>Ann</b>"
MARKUP_LAST = "<script>alert(1)</script>Lee"

PERSONS = ("person_id,last_name,first_name,middle_name,birth_date,email,ssn,gender,street1,"
           "street2,city,state,zip,country\n"
           "P1,Able,Ann,,2007-01-01,ann.able@example.org,,F,1 Main St,,Columbia,SC,29201,US\n"
           "P2,Baker,Ben,,2006-05-05,ben.baker@example.org,,M,2 Oak Ave,,Austin,TX,78701,US\n"
           "P3,Cole,Cara,,2006-07-07,cara.cole@example.org,,F,3 Elm St,,Boise,ID,83702,US\n"
           "P4,Cole,Cara,,2006-07-07,cara.c@example.org,,F,9 Park Rd,,Albany,NY,12207,US\n"
           f"P5,{MARKUP_LAST},{MARKUP_FIRST},,2005-02-02,lee@example.org,,F,4 Pine St,,Reno,"
           "NV,89501,US\n"
           "P6,Dorsey,Dan,,2004-04-04,dan.dorsey@example.org,,M,5 Ash St,,Mesa,AZ,85201,US\n")
FILLER = [(f"F{i:02d}", first, last) for i, (first, last) in enumerate(
    (f, la) for f in ("Ada", "Bea", "Cy", "Dov", "Eli", "Fay", "Gus")
    for la in ("Ford", "Gray", "Hunt", "Irwin", "Jade"))]
PERSONS += "".join(f"{pid},{last},{first},,1999-{1 + i % 12:02d}-{1 + i % 28:02d},"
                   f"{pid.lower()}@example.org,,,,,,,,\n"
                   for i, (pid, first, last) in enumerate(FILLER))
PERSON_IDS = "person_id,id_type,id_value\nP1,CB,CB0001\n"

SCORES = {"LATEST_SAT_DATE": "10/12/2025", "LATEST_SAT_TOTAL": "1310",
          "LATEST_SAT_EBRW": "670", "LATEST_SAT_MATH_SECTION": "640"}
SAT_RECORDS = [
    {"CB_ID": "CB0001", "NAME_FIRST": "Ann", "NAME_LAST": "Able", "BIRTH_DATE": "1/1/2007",
     "EMAIL": "ann.able@example.org", "ADDRESS_LINE1": "1 Main St", "ADDRESS_CITY": "Columbia",
     "ADDRESS_STATE": "SC", "ADDRESS_ZIP": "29201"},
    {"CB_ID": "CB0003", "NAME_FIRST": "Cara", "NAME_LAST": "Cole", "BIRTH_DATE": "7/7/2006"},
    {"CB_ID": "CB0005", "NAME_FIRST": MARKUP_FIRST, "NAME_LAST": MARKUP_LAST,
     "BIRTH_DATE": "2/2/2005"},
    {"CB_ID": "CB0006", "NAME_FIRST": "Dan", "NAME_LAST": "Dorsey", "BIRTH_DATE": "4/4/2004"},
    {"CB_ID": "CB0009", "NAME_FIRST": "Zed", "NAME_LAST": "Zimmer", "BIRTH_DATE": "3/3/2005",
     "EMAIL": "zed@example.net", "ADDRESS_LINE1": "7 Lake Rd", "ADDRESS_CITY": "Tucson",
     "ADDRESS_STATE": "AZ", "ADDRESS_ZIP": "85701", "LATEST_SAT_TOTAL": "1700"},
]
DRIFT_RECORDS = [{"NAME_FIRST": "Yul", "NAME_LAST": "Young", "BIRTH_DATE": "8/8/2006"}]

SAT_FILE, DRIFT_FILE = "sat.csv", "sat_drift.csv"
MATCHED, TWINS, MARKUP, DORSEY, NEW = "3:2", "3:3", "3:4", "3:5", "3:6"
# The potential cases, oldest first as they arrived (one file: by line), and each
# one's candidates.
POTENTIAL = [TWINS, MARKUP, DORSEY]
CANDIDATES = {TWINS: ["P3", "P4"], MARKUP: ["P5"], DORSEY: ["P6"]}
SCORE_ERROR = (SAT_FILE, 6, "LATEST_SAT_TOTAL", "1700")
DRIFT_MISSING = "CB_ID"

# The matching marts and the problem marts with all they read, no data or unit tests.
BUILD = ("dbt", "build", "--select", "+models/marts/matching", "+mart_problems",
         "+mart_problem_choices", "--exclude-resource-type", "test",
         "--exclude-resource-type", "unit_test")


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def sat_file(path: Path, records: list[dict], drop: set[str] = frozenset()) -> Path:
    """A SAT file with the sample's header (less ``drop``) and only these values."""
    with open(SAMPLES / "sat_sample.csv", newline="", encoding="utf-8-sig") as f:
        header = [c for c in next(csv.reader(f)) if c not in drop]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, restval="")
        writer.writeheader()
        for record in records:
            writer.writerow({**SCORES, **record})
    return path


def query(url: str, sql: str, args: tuple = ()):
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()
    finally:
        conn.close()


def prepare(folder: Path, env: dict) -> None:
    """Loads the four files through the CLI and builds (BUILD)."""
    persons = folder / "persons.csv"
    persons.write_text(PERSONS, encoding="utf-8")
    person_ids = folder / "person_ids.csv"
    person_ids.write_text(PERSON_IDS, encoding="utf-8")
    ok(run_cli("load", "persons", str(persons), cwd=folder, env=env))
    ok(run_cli("load", "person_ids", str(person_ids), cwd=folder, env=env))
    ok(run_cli("load", "sat_csv", str(sat_file(folder / SAT_FILE, SAT_RECORDS)), cwd=folder,
               env=env))
    ok(run_cli("load", "sat_csv", str(sat_file(folder / DRIFT_FILE, DRIFT_RECORDS,
                                               drop={DRIFT_MISSING})), cwd=folder, env=env))
    ok(run_cli(*BUILD, cwd=folder, env=env, timeout=900))
    # The constants hold only if sat.csv is the third file received.
    ids = dict(query(env["SCOREBRIDGE_DATABASE_URL"],
                     "select original_name, file_id from raw.file_manifest"))
    assert f"{ids[SAT_FILE]}:2" == MATCHED, ids


@pytest.fixture(scope="module")
def review_template(pg_admin_url, tmp_path_factory):
    from tests.pg import make_template

    folder = tmp_path_factory.mktemp("review")
    with make_template(pg_admin_url, lambda url: prepare(
            folder, {"SCOREBRIDGE_DATABASE_URL": url})) as name:
        yield name
