"""The organisation's own files are checked like a vendor's.

A file whose header lacks a required column is quarantined whole by landing;
the lines of the files that land are checked by the models, and every
problem is a row of marts.mart_org_file_errors with its file, line, field,
value and reason.
"""

from __future__ import annotations

from tests.helpers import run_cli

FILES = {
    "persons": """person_id,last_name,first_name,middle_name,birth_date,email,ssn,gender,\
street1,street2,city,state,zip,country
P1,Able,Ann,,1990-01-02,ann@example.org,,F,,,,,,
P2,,Bob,,1988-02-30,bob@example.org,,M,,,,,,
P3,Cole,Cy,,2999-01-01,,,,,,,,,
P1,Able,Anne,,1990-01-02,ann@example.org,,F,,,,,,
P4,Dunn,Di,,1985-07-08,,,,,,,,,
P4,Dunn,Di,,1985-07-08,,,,,,,,,
P5,Eve
""",
    "applications": """application_id,person_id,exam_code,submitted_at,status,\
eligibility_start,eligibility_end,accommodations
A1,P1,CPA,2026-01-05,Pending,2026-01-15,2026-07-15,
A2,P9,CPA,2026-01-06,Pendng,2026-01-15,2026-07-15,
A3,P4,,2026-13-01,no show,,,
""",
    "person_ids": """person_id,id_type,id_value
P1,ACT,123
P8,SAT,55
P4,GRE,
""",
    "terms": """term_code,start_date,end_date
202610,2026-01-10,2026-05-10
202620,,2026-12-15
""",
    "admissions_checklist": """person_id,entry_term,item_code,received_date,\
first_requested_date,last_requested_date
P1,202610,TSTS,,,
P4,202730,TSTS,,,
P3,202620,,2026-02-31,,
""",
    "admission_test_indicators": """person_id,indicator,test_letter
P1,TIUG,A
P4,TIXX,Z
""",
}

NOT_A_DATE = "not a real date in the form YYYY-MM-DD or MM/DD/YYYY"
UNKNOWN_PERSON = "unknown person (in no persons file)"


def load(tmp_path, fmt, text, name=None):
    path = tmp_path / (name or f"{fmt}.csv")
    path.write_text(text)
    return run_cli("load", fmt, str(path), cwd=tmp_path)


def test_every_problem_of_the_organisations_files_is_an_error_row(tmp_path, sql):
    for fmt, text in FILES.items():
        result = load(tmp_path, fmt, text)
        assert result.returncode == 0, result.stderr
    built = run_cli("build", "--select", "+mart_org_file_errors", cwd=tmp_path, timeout=900)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr

    (parse_error,), = sql("select _parse_error from raw.persons where _line_number = 8")
    rows = sql("select file_name, format_name, line_number, field, field_value, reason "
               "from marts.mart_org_file_errors")
    assert sorted(rows, key=repr) == sorted([
        ("persons.csv", "persons", 2, "person_id", "P1",
         "person_id repeated in the file with different content (first at line 2)"),
        ("persons.csv", "persons", 3, "last_name", None, "missing last_name"),
        ("persons.csv", "persons", 3, "birth_date", "1988-02-30", NOT_A_DATE),
        ("persons.csv", "persons", 4, "birth_date", "2999-01-01", "birth date in the future"),
        ("persons.csv", "persons", 5, "person_id", "P1",
         "person_id repeated in the file with different content (first at line 2)"),
        ("persons.csv", "persons", 8, None, "P5,Eve\n", parse_error),  # the record as landed
        ("applications.csv", "applications", 3, "person_id", "P9", UNKNOWN_PERSON),
        ("applications.csv", "applications", 3, "status", "Pendng",
         "unknown status (expected Failed, No-show, Passed, Pending, Withdrawn)"),
        ("applications.csv", "applications", 4, "exam_code", None, "missing exam_code"),
        ("applications.csv", "applications", 4, "submitted_at", "2026-13-01", NOT_A_DATE),
        ("person_ids.csv", "person_ids", 3, "person_id", "P8", UNKNOWN_PERSON),
        ("person_ids.csv", "person_ids", 3, "id_type", "SAT",
         "unknown id type (expected ACT, AP, CB, GMAC, GRE, PROMETRIC)"),
        ("person_ids.csv", "person_ids", 4, "id_value", None, "missing id_value"),
        ("terms.csv", "terms", 3, "start_date", None, "missing start_date"),
        ("admissions_checklist.csv", "admissions_checklist", 3, "entry_term", "202730",
         "entry term missing from terms"),
        ("admissions_checklist.csv", "admissions_checklist", 4, "item_code", None,
         "missing item_code"),
        ("admissions_checklist.csv", "admissions_checklist", 4, "received_date", "2026-02-31",
         NOT_A_DATE),
        ("admission_test_indicators.csv", "admission_test_indicators", 3, "indicator", "TIXX",
         "unknown indicator (expected TIGR, TIUG)"),
        ("admission_test_indicators.csv", "admission_test_indicators", 3, "test_letter", "Z",
         "unknown test letter (expected A, B, C, G, H, M, P, R, S)"),
    ], key=repr)


def test_an_organisation_file_without_a_required_column_is_quarantined(tmp_path, sql):
    """Each of the six formats names the columns its header must have; a file
    without one lands no row and adds no column to the raw table."""
    lacking = {
        "persons": ("last_name,first_name,ssn\nAble,Ann,123-45-6789\n", "person_id"),
        "person_ids": ("person_id,id_value\nP1,123\n", "id_type"),
        "applications": ("application_id,person_id,status\nA1,P1,Pending\n", "exam_code"),
        "admissions_checklist": ("person_id,item_code\nP1,TSTS\n", "entry_term"),
        "admission_test_indicators": ("person_id,test_letter\nP1,A\n", "indicator"),
        "terms": ("start_date,end_date,ssn\n2026-01-10,2026-05-10,1\n", "term_code"),
    }
    for fmt, (text, _) in lacking.items():
        load(tmp_path, fmt, text)
    got = dict(sql("select format, quarantine_reason from raw.file_manifest "
                   "where status = 'quarantined'"))
    assert sorted(got) == sorted(lacking)
    for fmt, (_, column) in lacking.items():
        assert got[fmt].startswith(f"header lacks the required column(s) {column} of {fmt}")
        assert sql(f"select count(*) from raw.{fmt}") == [(0,)]
    columns = {r[0] for r in sql("select column_name from information_schema.columns "
                                 "where table_schema = 'raw' and table_name = 'terms'")}
    assert "ssn" not in columns
