"""The certification migration's marts, built from legacy files loaded through the CLI.

One template (conftest.certification_template): four small handwritten legacy_cert_* files landed with `load`
and `+models/marts/certification` built (no data tests). The rules in detail
are the dbt unit tests (models/marts/certification/_certification__unit_tests.yml);
here the real landing, staging and marts agree end to end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli

CERT_MODELS = ("models/staging/certification", "models/intermediate/certification",
               "models/marts/certification")
BUILD = ("dbt", "build", "--select", "+models/marts/certification", "--exclude-resource-type",
         "test", "--exclude-resource-type", "unit_test")

PROGRAMS = """\
program_code,title,description,established,industry_code,uf_1,uf_2,uf_3,uf_4,coordinators,\
notes,prerequisites,is_active
PA,Program A - Initial,Safety basics.,1998-05-01,5417,,Cohort 2,,,Ann Lee,,High school diploma,Y
PB,Program B - Renewal,,,,,,,,,Renew every 3 years.,,N
"""
COMPONENTS = """component_code,title,description,address,prerequisites,instructors,credits
ABC,Ethics,,12 Main St,,Wei Nguyen,1.5
C1,Regulations,Rules.,,ABC,,2
C2,Practicum,,,,,3
"""
LINKS = """program_code,component_code,required,sequence
PA,C1,Y,10
PA,C2,N,20
PB,C1,Y,10
"""
REGISTRATIONS = """seqn,student_id,program_code,component_code,registered_on,status,completed_on,grade,credits
1001,101,PA,C1,2024-01-10,Completed,2024-02-20,A,2
1002,101,PA,C2,2024-03-01,Registered,,,
1003,102,PB,C1,2023-09-01,Registered,,,
56789,101,PA,ABC,2024-01-10,Completed,2024-02-01,B,
"""
# A later extract: SEQN 1003 corrected, and registrations with errors.
REGISTRATIONS_2 = """\
seqn,student_id,program_code,component_code,registered_on,status,completed_on,grade,credits
1003,102,PB,C1,2023-09-01,Completed,2023-12-15,B+,2
1009,109,PZ,C1,2024-01-10,Registered,,,
1010,110,PA,C1,2024-01-10,Registered,,,
1010,110,PA,C2,2024-01-11,Registered,,,
1011,111,PA,C1,2024-05-01,Completed,2024-04-01,A,
"""


def ok(result):
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    return result


def load(folder: Path, fmt: str, name: str, text: str, env: dict | None = None) -> None:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    ok(run_cli("load", fmt, str(path), cwd=folder, env=env))


def prepare(folder: Path, env: dict) -> None:
    load(folder, "legacy_cert_programs", "programs.csv", PROGRAMS, env)
    load(folder, "legacy_cert_components", "components.csv", COMPONENTS, env)
    load(folder, "legacy_cert_program_components", "program_components.csv", LINKS, env)
    load(folder, "legacy_cert_registrations", "registrations.csv", REGISTRATIONS, env)
    ok(run_cli(*BUILD, cwd=folder, env=env, timeout=600))


@pytest.mark.db_from("certification_template")
def test_the_marts_hold_programs_components_requirements_and_enrollments(sql):
    assert sql("select program_code, title, description, is_active, requires_approval "
               "from marts.mart_cert_programs order by 1") == [
        ("PA", "Program A - Initial", "Safety basics.\nEstablished: 1998-05-01\n"
         "Industry Code: 5417\nUF_2: Cohort 2\nCoordinators: Ann Lee\n"
         "Prerequisites: High school diploma", True, False),
        ("PB", "Program B - Renewal", "Notes: Renew every 3 years.", False, False)]
    assert sql("select component_code, description, credits, requires_approval, requires_grade "
               "from marts.mart_cert_components order by 1") == [
        ("ABC", "Address: 12 Main St\nInstructors: Wei Nguyen", 1.5, False, True),
        ("C1", "Rules.\nPrerequisites: ABC", 2, False, True),
        ("C2", None, 3, False, True)]
    assert sql("select program_code, component_code, is_required, sequence_number, is_temporary "
               "from marts.mart_cert_program_requirements order by 1, 4") == [
        ("PA", "C1", True, 10, False), ("PA", "C2", False, 20, False),
        ("PB", "C1", True, 10, False)]
    # The off-program registration (56789) migrates; credits fall back to the component's.
    assert sql("select seqn, student_id, program_code, component_code, status, "
               "cast(completed_on as text), grade, credits "
               "from marts.mart_cert_enrollments order by 1") == [
        ("1001", "101", "PA", "C1", "Completed", "2024-02-20", "A", 2),
        ("1002", "101", "PA", "C2", "Registered", None, None, None),
        ("1003", "102", "PB", "C1", "Registered", None, None, None),
        ("56789", "101", "PA", "ABC", "Completed", "2024-02-01", "B", 1.5)]
    assert sql("select severity, problem_kind, file_name, line_number, record_key, message "
               "from marts.mart_cert_migration_problems") == [
        ("warning", "component_not_in_program", "registrations.csv", 5, "56789",
         'Registration found for component "ABC", student id "101" and program '
         '"Program A - Initial" (SEQN 56789), but the program does not contain this component.')]


@pytest.mark.db_from("certification_template")
def test_a_newer_file_wins_per_seqn_errors_leave_rows_out_and_the_seed_adds_components(
        sql, tmp_path):
    load(tmp_path, "legacy_cert_registrations", "registrations_2.csv", REGISTRATIONS_2)
    seed = Path(__file__).resolve().parents[1] / "seeds/certification/" \
        "cert_temporary_program_components.csv"
    assert seed.read_text(encoding="utf-8") == "program_code,component_code,reason\n"
    # The operator's addition, as the seed would hold it (the seed ships empty);
    # the models are rebuilt, the seed is not (a seed build would reload the file).
    sql("insert into seeds.cert_temporary_program_components values "
        "('PA', 'ABC', 'legacy module allowed it')")
    ok(run_cli("dbt", "run", "--select", *CERT_MODELS, cwd=tmp_path, timeout=600))
    enrollments = dict(sql("select seqn, status from marts.mart_cert_enrollments"))
    assert enrollments == {"1001": "Completed", "1002": "Registered", "1003": "Completed",
                           "56789": "Completed"}
    problems = sql("select problem_kind, file_name, line_number, record_key "
                   "from marts.mart_cert_migration_problems where severity = 'error' "
                   "order by line_number")
    assert problems == [
        ("unknown_program", "registrations_2.csv", 3, "1009"),
        ("duplicate_seqn", "registrations_2.csv", 4, "1010"),
        ("duplicate_seqn", "registrations_2.csv", 5, "1010"),
        ("completed_before_registered", "registrations_2.csv", 6, "1011")]
    # The temporary addition: ABC belongs to PA for the migration, and no warning.
    assert sql("select component_code, is_required, sequence_number, is_temporary "
               "from marts.mart_cert_program_requirements where program_code = 'PA' "
               "order by sequence_number") == [
        ("C1", True, 10, False), ("C2", False, 20, False), ("ABC", False, 21, True)]
    assert sql("select count(*) from marts.mart_cert_migration_problems "
               "where severity = 'warning'") == [(0,)]
