"""Problems reach a person: marts.mart_problems across the domains, the handle
verb and the problem_decisions file, against the real models and database.

One template per session: the credentialing records and results (two
anomalies, a bad line, and a conflict: A1 has two different results), an LMS
placement file with two bad lines, a persons file loaded as applications
(quarantined by custody) and the ACT vendor sample, built up to the problems
marts and the admissions scores per month.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.helpers import SAMPLES, run_cli
from tests.test_credentialing_exports import write_inputs

# The problems marts and all they read (the anomalies' tests read fct_exam_results too).
PROBLEMS = ("--select", "+models/marts/problems +models/marts/credentialing "
            "+mart_admissions_scores_monthly")
# A second, different result for A1 (the first file passes it): a conflict.
CONFLICT = ("CandidateID,EligibilityID,LastName,FirstName,ExamCode,TestDate,TestCenter,Score,"
            "PassingScore,Result,ResultDate\n"
            "P1,A1,Able,Ann,CPA,2026-03-10,TC01,60,70,FAIL,2026-03-12\n")
PLACEMENT = ("StudentID,TestCode,Score,CompletedAt\nS1,MPT,50,2026-01-10T09:00:00\n"
             "S3,XYZ,5,2026-01-11\nS4,MPT,101,2026-01-11\n")


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def refused(result, *words: str):
    """Exit 1 with one line on stderr, no traceback, naming each word."""
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


def prepare(folder, env):
    paths = write_inputs(folder)
    (folder / "RESULTS_ASSOC_20260315.csv").write_text(CONFLICT)
    (folder / "lms.csv").write_text(PLACEMENT)
    # A persons file given as applications: custody quarantines it (missing columns).
    (folder / "people.csv").write_text(paths["persons"].read_text().splitlines()[0] + "\n"
                                       "P7,Gray,Gil,,1990-01-01,gil@example.org,,M,,,,,,\n")
    for fmt, path in (("persons", paths["persons"]), ("applications", paths["applications"]),
                      ("prometric_results", paths["prometric_results"]),
                      ("prometric_results", folder / "RESULTS_ASSOC_20260315.csv"),
                      ("placement_csv", folder / "lms.csv"),
                      ("applications", folder / "people.csv"),
                      ("act_csv", SAMPLES / "act_sample.csv")):
        result = run_cli("load", fmt, str(path), cwd=folder, env=env)
        assert result.returncode in (0, 1), result.stdout + result.stderr
    ok(run_cli("build", *PROBLEMS, cwd=folder, env=env, timeout=900))


@pytest.fixture(scope="session")
def problems_template(pg_admin_url, tmp_path_factory):
    from tests.pg import make_template

    folder = tmp_path_factory.mktemp("problems")
    with make_template(pg_admin_url, lambda url: prepare(
            folder, {"SCOREBRIDGE_DATABASE_URL": url})) as name:
        yield name


def problems(sql, where: str = "true", args: tuple = ()):
    return sql("select problem_id, problem_kind, domain, file_name, line_number, explanation, "
               f"status from marts.mart_problems where {where} order by file_name, line_number, "
               "problem_kind", args)


def one_id(sql, kind: str) -> str:
    (pid,), = sql("select problem_id from marts.mart_problems where problem_kind = %s "
                  "order by line_number limit 1", (kind,))
    return pid


@pytest.mark.db_from("problems_template")
def test_mart_problems_has_every_domains_problems_with_file_line_and_reason(sql):
    rows = problems(sql)
    found = {(kind, domain, name, line) for _, kind, domain, name, line, _, _ in rows}
    assert {("no_matching_application", "credentialing", "RESULTS_ASSOC_20260215.csv", 6),
            ("application_not_pending", "credentialing", "RESULTS_ASSOC_20260215.csv", 7),
            ("result_error", "credentialing", "RESULTS_ASSOC_20260215.csv", 8),
            ("conflicting_results", "credentialing", "RESULTS_ASSOC_20260315.csv", 2),
            ("placement_error", "placement", "lms.csv", 3),
            ("placement_error", "placement", "lms.csv", 4),
            ("quarantined_file", "custody", "people.csv", None)} <= found
    assert all(explanation and status == "open" for *_, explanation, status in rows)
    # Every anomaly and error row of the marts is one problem, under its own id.
    anomalies = sql("select anomaly_id from marts.mart_result_anomalies")
    errors = sql("select error_id from marts.mart_result_errors union all "
                 "select error_id from marts.mart_placement_errors")
    ids = {r[0] for r in rows}
    assert anomalies and errors and {r[0] for r in anomalies + errors} <= ids
    assert len(ids) == len(rows) == len(anomalies) + len(errors) + 1
    (reason,), = sql("select explanation from marts.mart_problems "
                     "where problem_kind = 'quarantined_file'")
    assert "lacks the required column(s) application_id" in reason
    # First seen: when the problem's file landed (received, if it never did).
    seen = sql("select p.problem_kind, p.first_seen_at = coalesce(m.landed_at, m.received_at), "
               "p.first_seen_run_id = m.run_id from marts.mart_problems p "
               "join raw.file_manifest m on m.file_id = p.file_id")
    assert len(seen) == len(rows) and all(same and run for _, same, run in seen)


@pytest.mark.db_from("problems_template")
def test_handle_records_who_when_and_note_and_refuses_unknown_or_handled(tmp_path, sql):
    pid = one_id(sql, "no_matching_application")
    refused(run_cli("handle", "no-such-problem", "--note", "x", cwd=tmp_path),
            "no-such-problem", "not in marts.mart_problems")
    refused(run_cli("handle", pid, "--note", "  ", cwd=tmp_path), "note is empty")
    assert sql("select count(*) from ops.problem_handling") == [(0,)]

    out = ok(run_cli("handle", pid, "--note", "Vendor resent it as A1", "--by", "dana",
                     cwd=tmp_path))
    assert f"{pid}: handled by dana" in out.stdout
    (kind, note, by, source, fresh), = sql(
        "select problem_kind, note, handled_by, recorded_from, "
        "handled_at > now() - interval '5 minutes' from ops.problem_handling")
    assert (kind, note, by, source, fresh) == ("no_matching_application",
                                               "Vendor resent it as A1", "dana", "cli", True)
    # The view shows it handled at once, and it stays in the mart (history).
    assert sql("select status, handled_by, note from marts.mart_problems where problem_id = %s",
               (pid,)) == [("handled", "dana", "Vendor resent it as A1")]
    refused(run_cli("handle", pid, "--note", "again", cwd=tmp_path), "already handled by dana")
    assert sql("select count(*) from ops.problem_handling") == [(1,)]

    # Without --by, the operating-system user; the id is stable across a rebuild.
    import getpass

    other = one_id(sql, "quarantined_file")
    ok(run_cli("handle", other, "--note", "Loaded under the right format", cwd=tmp_path))
    ok(run_cli("build", *PROBLEMS, cwd=tmp_path, timeout=900))
    assert sql("select problem_id, status, handled_by from marts.mart_problems "
               "where status = 'handled' order by handled_at") == [
        (pid, "handled", "dana"), (other, "handled", getpass.getuser())]


@pytest.mark.db_from("problems_template")
def test_handle_a_conflict_chooses_only_one_of_its_results(tmp_path, sql):
    conflicts = sql("select problem_id, result_id from marts.mart_problems "
                    "where problem_kind = 'conflicting_results' order by problem_id")
    assert len(conflicts) == 2
    (pid, own), (sibling_pid, sibling) = conflicts
    other_result = sql("select result_id from marts.fct_exam_results where result_id not in "
                       "(%s, %s) limit 1", (own, sibling))[0][0]
    refused(run_cli("handle", pid, "--note", "x", "--result", other_result, cwd=tmp_path),
            other_result, "not one of the conflicting results")
    refused(run_cli("handle", one_id(sql, "result_error"), "--note", "x", "--result", own,
                    cwd=tmp_path), "not a conflicting_results anomaly")
    # Handled with no result chosen would hide the conflict while the models still
    # hold the application back: refused.
    refused(run_cli("handle", pid, "--note", "looked at it", cwd=tmp_path),
            "say which result stands")
    assert sql("select count(*) from ops.problem_handling") == [(0,)]
    ok(run_cli("handle", pid, "--note", "The retest stands", "--result", sibling, cwd=tmp_path))
    assert sql("select problem_id, problem_kind, chosen_result_id from ops.problem_handling") == [
        (pid, "conflicting_results", sibling)]
    # One decision settles the conflict: the other result's anomaly is handled too.
    assert sql("select problem_id, status, handled_as_problem_id, chosen_result_id "
               "from marts.mart_problems where problem_kind = 'conflicting_results' "
               "order by problem_id") == [(pid, "handled", pid, sibling),
                                          (sibling_pid, "handled", pid, sibling)]
    refused(run_cli("handle", sibling_pid, "--note", "No, the first", "--result", own,
                    cwd=tmp_path), "already handled")
    assert sql("select count(*) from ops.problem_handling") == [(1,)]


@pytest.mark.db_from("problems_template")
def test_a_decisions_file_is_recorded_whole_or_refused_whole(tmp_path, sql):
    first, second = (r[0] for r in sql("select problem_id from marts.mart_problems "
                                       "where domain = 'placement' order by line_number"))
    bad = tmp_path / "decisions_bad.csv"
    # A quoted note may span lines: the bad line is named by its physical line.
    bad.write_text("problem_id,note,handled_by\n"
                   f'{first},"Score typo fixed\nin the LMS",lee\n'
                   f"nope,whatever,lee\n"
                   f"{second},,lee\n")
    line = refused(run_cli("load", "problem_decisions", str(bad), cwd=tmp_path),
                   "decisions_bad.csv", "line 4: problem nope", "1 more bad line")
    assert "nothing recorded" in line
    assert sql("select count(*) from ops.problem_handling") == [(0,)]
    wrong_header = tmp_path / "decisions_header.csv"
    wrong_header.write_text("id,note\nx,y\n")
    refused(run_cli("load", "problem_decisions", str(wrong_header), cwd=tmp_path),
            "line 1", "problem_id", "handled_by")

    good = tmp_path / "decisions_2026-03.csv"
    good.write_text("problem_id,note,handled_by,chosen_result_id\n"
                    f"{first},Score typo fixed in the LMS,lee,\n"
                    f'{second},"Unknown test code, asked the LMS team",kim,\n')
    out = ok(run_cli("load", "problem_decisions", str(good), cwd=tmp_path))
    assert "2 problem(s) marked handled" in out.stdout
    assert sql("select problem_id, handled_by, note, recorded_from from ops.problem_handling "
               "order by handled_by") == [
        (second, "kim", "Unknown test code, asked the LMS team", good.name),
        (first, "lee", "Score typo fixed in the LMS", good.name)]
    # The same file again: both already handled, nothing more written.
    refused(run_cli("load", "problem_decisions", str(good), cwd=tmp_path), "already handled")
    assert sql("select count(*) from ops.problem_handling") == [(2,)]


class Cells(HTMLParser):
    """(table's data-mart, row's first data attribute, field) -> data-value, and the bars."""

    def __init__(self):
        super().__init__()
        self.cells: dict[tuple, str] = {}
        self.bars: list[dict] = []
        self._mart = self._row = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._mart = a.get("data-mart")
        elif tag == "tr" and self._mart:
            keys = [v for k, v in attrs if k.startswith("data-")]
            self._row = tuple(keys) or None
        elif tag == "td" and self._row and "data-field" in a:
            self.cells[(self._mart, *self._row, a["data-field"])] = a["data-value"]
        elif tag == "rect" and "data-field" in a:
            self.bars.append(a)


@pytest.mark.db_from("problems_template")
def test_report_covers_admissions_scores_per_month_problems_and_quarantined_files(tmp_path, sql):
    pid = one_id(sql, "result_error")
    ok(run_cli("handle", pid, "--note", "Vendor corrected it", cwd=tmp_path))
    ok(run_cli("report", "--out", str(tmp_path / "out"), cwd=tmp_path))
    page = (tmp_path / "out" / "report.html").read_text()
    parsed = Cells()
    parsed.feed(page)
    cells = parsed.cells

    monthly = sql("select test_code, month_start, scores from marts.mart_admissions_scores_monthly")
    assert monthly, "the ACT sample has scores"
    for test, month, scores in monthly:
        assert cells[("mart_admissions_scores_monthly", test, month.isoformat(), "scores")] == \
            str(scores)
    bars = [b for b in parsed.bars if "data-month" in b]
    assert sorted((b["data-exam"], b["data-month"], int(b["data-value"])) for b in bars) == \
        sorted((t, m.isoformat(), n) for t, m, n in monthly)

    counts = sql("select problem_kind, domain, sum(case when status = 'open' then 1 else 0 end), "
                 "sum(case when status = 'handled' then 1 else 0 end) from marts.mart_problems "
                 "group by 1, 2")
    assert ("result_error", 1) in [(k, int(h)) for k, _, _, h in counts]  # the one handled
    for kind, domain, n_open, n_handled in counts:
        assert (cells[("mart_problems", kind, domain, "open")],
                cells[("mart_problems", kind, domain, "handled")]) == (str(n_open), str(n_handled))
    open_ids = {r[0] for r in sql("select problem_id from marts.mart_problems "
                                  "where status = 'open'")}
    shown = {k[1] for k in cells if k[0] == "mart_problems_open"}
    assert shown == open_ids and pid not in shown
    unmatched = one_id(sql, "no_matching_application")
    assert cells[("mart_problems_open", unmatched, "explanation")].startswith(
        "No application matches: EligibilityID E404")

    (reason,), = sql("select explanation from marts.mart_problems "
                     "where problem_kind = 'quarantined_file'")
    assert cells[("mart_file_quarantine", "people.csv", "explanation")] == reason
    errors = sql("select format_name, rule, count(*) from marts.mart_score_errors group by 1, 2")
    for fmt, rule, n in errors:
        assert cells[("mart_score_errors", fmt, rule, "errors")] == str(n)
