"""The review pages (loaders/review) driven in headless Chromium against a real
database: the match queue and its cases decided, two reviewers at once, a case a
build changed, vendor markup shown as text, the session, CSRF and sign-in token,
the anomalies handled and the errors and quarantined files; a screenshot of each
page for docs/review.md.

The app runs in this process (``create_app`` and ``serve`` on a free port of
127.0.0.1) on a copy of ``review_template`` (tests/review_data.py) or
``problems_template`` (tests/test_problems.py)."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import psycopg2
import pytest

from tests.browser import chrome, screenshot, webdriver  # noqa: F401 (fixture)
from tests.helpers import run_cli
from tests.review_data import (
    CANDIDATES,
    DORSEY,
    DRIFT_FILE,
    DRIFT_MISSING,
    MARKUP,
    MARKUP_FIRST,
    MARKUP_LAST,
    MATCHED,
    NEW,
    POTENTIAL,
    SAT_FILE,
    SCORE_ERROR,
    TWINS,
    review_template,  # noqa: F401 (fixture)
)
from tests.test_matching_decisions import AFTER_DECISIONS
from tests.test_problems import problems_template  # noqa: F401 (fixture)

ERROR_KINDS = ("result_error", "score_error", "placement_error", "org_file_error",
               "quarantined_file")
TOKENS = ["token-one-" + "a" * 20, "token-two-" + "b" * 20, "token-three-" + "c" * 20]


@dataclass
class Site:
    url: str
    tokens: list[str]


@pytest.fixture
def site(db_url):
    """The review app on a free port of 127.0.0.1, on this test's database."""
    from loaders.review.app import create_app, serve

    def connect():
        conn = psycopg2.connect(db_url)
        conn.autocommit = True
        return conn

    app = create_app(connect, list(TOKENS))
    server = serve(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(f"http://127.0.0.1:{server.port}", list(TOKENS))
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    app.extensions["scorebridge"]["pool"].close()


def by():
    from selenium.webdriver.common.by import By

    return By


def click(driver, element) -> None:
    """Clicks a link or button that loads a page, and waits for the new page."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.wait import WebDriverWait

    # chromedriver can say "Node with given id does not belong to the document"
    # instead of "stale element" when the click's own navigation has already
    # replaced the page: for the click and for the wait, that is the new page.
    replaced = "does not belong to the document"
    old = driver.find_element(by().TAG_NAME, "html")
    try:
        element.click()
    except WebDriverException as err:
        if replaced not in str(err):
            raise

    def old_page_gone(_driver) -> bool:
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as err:
            if replaced not in str(err):
                raise
            return True
        return False

    WebDriverWait(driver, 30).until(old_page_gone)  # fails if no new page loaded


def sign_in(driver, site: Site, token: str, name: str, shot: bool = False) -> None:
    """Through the page: the link with the token, a name typed, Sign in."""
    driver.get(f"{site.url}/login?token={token}")
    assert driver.find_element(by().ID, "token").get_attribute("value") == token
    driver.find_element(by().ID, "reviewer").send_keys(name)
    if shot:
        screenshot(driver, "login")
    click(driver, driver.find_element(by().ID, "sign-in"))
    assert driver.current_url.endswith("/queue"), driver.current_url
    assert driver.find_element(by().CSS_SELECTOR, "form.signout span").text == name


def flashes(driver) -> list[str]:
    return [e.text for e in driver.find_elements(by().CSS_SELECTOR, "p.flash")]


def queue_records(driver) -> list[str]:
    return [e.get_attribute("data-record")
            for e in driver.find_elements(by().CSS_SELECTOR, "#queue tr[data-record]")]


def waiting(driver) -> tuple[int, str]:
    element = driver.find_element(by().ID, "waiting")
    return int(element.get_attribute("data-count")), element.text


def nav_count(driver, page: str) -> int:
    return int(driver.find_element(by().CSS_SELECTOR, f"#nav-{page} .count")
               .get_attribute("data-waiting"))


def open_case(driver, site: Site, record_id: str) -> None:
    driver.get(f"{site.url}/case/{record_id}")
    assert driver.find_element(by().TAG_NAME, "h1").text == f"Record {record_id}"


def decide(driver, button: str, reason: str = "") -> None:
    if reason:
        driver.find_element(by().ID, "reason-text").send_keys(reason)
    click(driver, driver.find_element(by().ID, button))


def decisions(sql):
    return sql("select record_id, decision, person_id, decided_by, source, reason "
               "from ops.match_decisions order by decision_id")


# -- 1. the queue, a case, a decision, the build -------------------------------------------
@pytest.mark.db_from("review_template")
def test_queue_to_case_to_decision_recorded_then_built_into_the_matches(
        webdriver, site, sql, db_url, tmp_path):  # noqa: F811
    B = by()
    sign_in(webdriver, site, site.tokens[0], "Dana Reviewer", shot=True)

    # The queue: the three cases oldest first, how many wait and how old the oldest is.
    assert queue_records(webdriver) == POTENTIAL
    count, text = waiting(webdriver)
    assert count == 3 and nav_count(webdriver, "queue") == 3
    (oldest,), = sql("select to_char(min(waiting_since), 'YYYY-MM-DD HH24:MI') "
                     "from marts.mart_match_review_queue")
    assert f"3 potential matches waiting; the oldest since {oldest} (under an hour)" in text
    screenshot(webdriver, "queue")

    # The oldest case: the record and its candidates side by side.
    click(webdriver, webdriver.find_element(B.LINK_TEXT, TWINS))
    assert webdriver.find_element(B.TAG_NAME, "h1").text == f"Record {TWINS}"
    heads = [e.text for e in webdriver.find_elements(B.CSS_SELECTOR, "#case thead th")]
    assert heads == ["Field", "Incoming record", "Candidate 1: P3", "Candidate 2: P4"]
    rows = sql("select candidate_rank, first_name_agreement, last_name_agreement, "
               "birth_date_agreement, email_agreement, first_name_weight, score "
               "from marts.mart_match_review_queue where record_id = %s order by 1", (TWINS,))
    assert len(rows) == 2
    for rank, first, last, birth, email, first_weight, score in rows:
        marks = {e.find_element(B.XPATH, "..").get_attribute("data-field"):
                 e.get_attribute("data-agreement") for e in webdriver.find_elements(
                     B.CSS_SELECTOR, f"#case tbody tr[data-field] td[data-candidate='{rank}']")}
        assert (marks["first_name"], marks["last_name"], marks["birth_date"]) == (
            first, last, birth) == ("agree", "agree", "agree")
        assert marks["email"] == email
        cell = webdriver.find_element(
            B.CSS_SELECTOR, f"tr[data-field='first_name'] td[data-candidate='{rank}']")
        assert cell.find_element(B.CSS_SELECTOR, ".mark").text == "agree"
        assert cell.get_attribute("class") == "agree"
        weight = webdriver.find_element(
            B.CSS_SELECTOR, f"tr[data-comparison='first_name'] td[data-candidate='{rank}'] "
            ".weight").text
        assert weight == f"{first_weight:+.2f}"
        shown_score = webdriver.find_element(
            B.CSS_SELECTOR, f"td[data-candidate='{rank}'][data-score]").text
        assert shown_score == f"{score:.2f}"
    record = {e.find_element(B.XPATH, "..").get_attribute("data-field"): e.text
              for e in webdriver.find_elements(B.CSS_SELECTOR, "#case td.record")}
    assert (record["first_name"], record["last_name"], record["birth_date"]) == (
        "Cara", "Cole", "2006-07-07")
    screenshot(webdriver, "case")

    # Same as candidate 1, with a reason: recorded, and the next case opens.
    decide(webdriver, "same-1", "Same CB id on her application")
    assert any(f.startswith(f"Recorded: record {TWINS}") and "(by Dana Reviewer)" in f
               for f in flashes(webdriver)), flashes(webdriver)
    assert webdriver.find_element(B.TAG_NAME, "h1").text == f"Record {MARKUP}"
    assert decisions(sql) == [(TWINS, "same_person", "P3", "Dana Reviewer", "review page",
                               "Same CB id on her application")]
    click(webdriver, webdriver.find_element(B.ID, "nav-queue"))
    assert queue_records(webdriver) == [MARKUP, DORSEY]
    assert waiting(webdriver)[0] == 2 and nav_count(webdriver, "queue") == 2

    # Skip the markup case: nothing recorded, the next one opens; New person on it.
    open_case(webdriver, site, MARKUP)
    decide(webdriver, "skip")
    assert webdriver.find_element(B.TAG_NAME, "h1").text == f"Record {DORSEY}"
    assert len(decisions(sql)) == 1
    decide(webdriver, "new-person", "Another Dan")
    assert decisions(sql)[1] == (DORSEY, "new_person", None, "Dana Reviewer", "review page",
                                 "Another Dan")
    # Only the skipped one waits, and it still waits.
    assert webdriver.current_url.endswith("/queue")
    assert queue_records(webdriver) == [MARKUP] and waiting(webdriver)[0] == 1

    # The next build applies the decisions.
    result = run_cli(*AFTER_DECISIONS, cwd=tmp_path, env={"SCOREBRIDGE_DATABASE_URL": db_url},
                     timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    matches = sql("select record_id, outcome, person_id, match_rule, decided_by "
                  "from marts.mart_person_matches where record_id in %s order by record_id",
                  (tuple(POTENTIAL),))
    assert matches == [
        (TWINS, "matched", "P3", "decision: same_person", "Dana Reviewer"),
        (MARKUP, "potential", None, matches[1][3], None),
        (DORSEY, "new", None, "decision: new_person", "Dana Reviewer"),
    ]
    webdriver.get(f"{site.url}/queue")
    assert queue_records(webdriver) == [MARKUP]


# -- 2. two reviewers, and a build under the page --------------------------------------------
@pytest.mark.db_from("review_template")
def test_two_reviewers_deciding_one_case_the_second_is_told_who_decided(
        webdriver, site, sql):  # noqa: F811
    B = by()
    with chrome() as other:
        sign_in(webdriver, site, site.tokens[0], "Ana")
        sign_in(other, site, site.tokens[1], "Ben")
        open_case(webdriver, site, TWINS)
        open_case(other, site, TWINS)
        decide(webdriver, "same-1", "Ana's reading")
        decide(other, "same-2", "Ben's reading")
        refused = [f for f in flashes(other) if f.startswith("Not recorded")]
        assert len(refused) == 1, flashes(other)
        assert f"record {TWINS} was already decided" in refused[0]
        assert "by Ana" in refused[0]
        # Opened again, the case says who decided it and offers no buttons.
        open_case(other, site, TWINS)
        assert "Decided already: same_person P3" in other.find_element(B.ID, "decided").text
        assert other.find_elements(B.ID, "decide") == []
    assert sql("select record_id, person_id, decided_by from ops.match_decisions") == [
        (TWINS, "P3", "Ana")]


@pytest.mark.db_from("review_template")
def test_a_case_changed_since_it_was_opened_is_refused_and_nothing_recorded(
        webdriver, site, sql):  # noqa: F811
    sign_in(webdriver, site, site.tokens[0], "Ana")
    open_case(webdriver, site, DORSEY)
    # As a rebuild would: the case's score is not what the page showed.
    sql("update marts.mart_match_review_queue set score = score + 1 where record_id = %s",
        (DORSEY,))
    decide(webdriver, "new-person", "looks new")
    assert any(f"Record {DORSEY} changed since you opened it" in f and "nothing recorded" in f
               for f in flashes(webdriver)), flashes(webdriver)
    assert sql("select count(*) from ops.match_decisions") == [(0,)]
    # Looked at again (the page reloaded), the decision goes through.
    assert webdriver.find_element(by().TAG_NAME, "h1").text == f"Record {DORSEY}"
    decide(webdriver, "new-person")
    assert sql("select record_id, decision from ops.match_decisions") == [(DORSEY, "new_person")]


# -- 3. escaping -------------------------------------------------------------------------
@pytest.mark.db_from("review_template")
def test_vendor_markup_shows_as_text_on_the_queue_and_the_case(webdriver, site):  # noqa: F811
    B = by()
    sign_in(webdriver, site, site.tokens[0], "Ana")

    def no_markup_elements():
        assert webdriver.find_elements(B.TAG_NAME, "b") == []
        assert webdriver.find_elements(B.TAG_NAME, "script") == []

    row = webdriver.find_element(B.CSS_SELECTOR, f"#queue tr[data-record='{MARKUP}']")
    assert row.find_elements(B.TAG_NAME, "td")[2].text == f"{MARKUP_FIRST} {MARKUP_LAST}"
    no_markup_elements()

    open_case(webdriver, site, MARKUP)
    for name, value in (("first_name", MARKUP_FIRST), ("last_name", MARKUP_LAST)):
        record = webdriver.find_element(B.CSS_SELECTOR, f"tr[data-field='{name}'] td.record")
        assert record.text == value
        candidate = webdriver.find_element(
            B.CSS_SELECTOR, f"tr[data-field='{name}'] td[data-candidate='1']")
        assert candidate.text.startswith(value)
    no_markup_elements()
    assert MARKUP_FIRST.replace("<", "&lt;").replace(">", "&gt;") in webdriver.page_source


# -- 4. session, CSRF, token, headers, SSN ------------------------------------------------
def fetch(url: str, data: dict | None = None, opener=None):
    """(status, headers, body) of one request; no cookie unless ``opener`` keeps them."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with (opener or urllib.request.build_opener()).open(url, body, timeout=30) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


def signed_in(site: Site, token: str, name: str = "Ana"):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    status, _, body = fetch(f"{site.url}/login", {"reviewer": name, "token": token}, opener)
    assert status == 200 and 'id="queue"' in body, (status, body)
    return opener, re.search(r'name="csrf" value="([^"]+)"', body).group(1)


@pytest.mark.db_from("review_template")
def test_no_session_no_page_csrf_checked_tokens_once_csp_sent_no_ssn(site, sql):
    (file_id,), = sql("select file_id from raw.file_manifest where original_name = %s",
                      (DRIFT_FILE,))
    pages = ["/", "/queue", *(f"/case/{r}" for r in POTENTIAL), "/anomalies", "/errors",
             f"/files/{file_id}"]
    for page in pages:
        status, headers, body = fetch(site.url + page)
        assert status == 401, (page, status)
        assert "Sign in with the link printed" in body and 'id="queue"' not in body
        assert "default-src 'none'" in headers["Content-Security-Policy"]
    for post in (f"/case/{TWINS}", "/anomalies/x", "/logout"):
        assert fetch(site.url + post, {"choice": "new"})[0] == 401, post

    # A token signs in once.
    opener, csrf = signed_in(site, site.tokens[0])
    status, _, body = fetch(f"{site.url}/login", {"reviewer": "Eve", "token": site.tokens[0]})
    assert status == 401 and "not valid or was used already" in body
    assert fetch(f"{site.url}/login", {"reviewer": "Eve", "token": "guessed"})[0] == 401

    # A form without its CSRF token, or with another, is refused: nothing recorded.
    (version,) = re.search(r'name="version" value="([^"]+)"',
                           fetch(f"{site.url}/case/{TWINS}", opener=opener)[2]).groups()
    decide_ = {"choice": "candidate:P3", "version": version}
    for sent in ({}, {"csrf": ""}, {"csrf": csrf[:-2] + "xx"}):
        status, headers, body = fetch(f"{site.url}/case/{TWINS}", {**decide_, **sent}, opener)
        assert status == 400 and "security token is missing or out of date" in body
        assert "Content-Security-Policy" in headers
    assert sql("select count(*) from ops.match_decisions") == [(0,)]
    assert fetch(f"{site.url}/case/{TWINS}", {**decide_, "csrf": csrf}, opener)[0] == 200
    assert sql("select record_id, person_id from ops.match_decisions") == [(TWINS, "P3")]

    # No SSN on any page: a model that let nine digits through still shows the last four.
    sql("update marts.mart_match_review_queue set record_ssn_last4 = '123456789', "
        "candidate_ssn_last4 = '987654321' where record_id = %s", (DORSEY,))
    for page in pages:
        status, headers, body = fetch(site.url + page, opener=opener)
        assert status == 200, (page, status)
        assert headers["Content-Security-Policy"].startswith("default-src 'none'")
        # Not the hidden form tokens, nor digits inside a word (a file's SHA-256).
        text = re.sub(r'value="[^"]*"', "", body)
        assert not re.search(r"(?<![0-9A-Za-z])\d{9,}(?![0-9A-Za-z])|\d{3}-\d{2}-\d{4}",
                             text), page
    case = fetch(f"{site.url}/case/{DORSEY}", opener=opener)[2]
    assert "***-**-6789" in case and "***-**-4321" in case


# -- 5. anomalies -------------------------------------------------------------------------
def open_anomalies(sql):
    return sql("select problem_id, problem_kind, explanation, result_id from marts.mart_problems "
               "where status = 'open' and problem_kind not in %s order by problem_id",
               (ERROR_KINDS,))


@pytest.mark.db_from("problems_template")
def test_anomalies_listed_with_explanation_and_lines_handled_with_a_note(
        webdriver, site, sql):  # noqa: F811
    B = by()
    sign_in(webdriver, site, site.tokens[0], "Cleo")
    click(webdriver, webdriver.find_element(B.ID, "nav-anomalies"))
    anomalies = open_anomalies(sql)
    assert len(anomalies) >= 3
    sections = webdriver.find_elements(B.CSS_SELECTOR, "section.problem")
    assert sorted(s.get_attribute("data-problem") for s in sections) == [a[0] for a in anomalies]
    assert waiting(webdriver)[0] == len(anomalies) == nav_count(webdriver, "anomalies")
    for problem_id, kind, explanation, result_id in anomalies:
        section = webdriver.find_element(B.ID, f"problem-{problem_id}")
        assert section.get_attribute("data-kind") == kind
        assert section.find_element(B.CSS_SELECTOR, ".explanation").text == explanation
        lines = [r.get_attribute("data-result")
                 for r in section.find_elements(B.CSS_SELECTOR, "table.lines tr[data-result]")]
        choices = [r for (r,) in sql("select result_id from marts.mart_problem_choices "
                                     "where problem_id = %s order by 1", (problem_id,))]
        known = [r for (r,) in sql("select result_id from marts.fct_exam_results "
                                   "where result_id in %s order by 1",
                                   (tuple(choices or [result_id]),))]
        assert lines == known and (kind == "no_matching_application" or lines), (kind, lines)
    screenshot(webdriver, "anomalies")

    # One handled with a note: recorded from the page, gone from it, the count one less.
    plain = next(a for a in anomalies if a[1] != "conflicting_results")
    section = webdriver.find_element(B.ID, f"problem-{plain[0]}")
    section.find_element(B.NAME, "note").send_keys("Vendor resent it")
    click(webdriver, section.find_element(B.CSS_SELECTOR, "button[type=submit]"))
    assert f"Recorded: problem {plain[0]} handled by Cleo." in flashes(webdriver)
    assert sql("select problem_id, note, handled_by, recorded_from, chosen_result_id "
               "from ops.problem_handling") == [(plain[0], "Vendor resent it", "Cleo",
                                                 "review page", None)]
    assert webdriver.find_elements(B.ID, f"problem-{plain[0]}") == []
    assert waiting(webdriver)[0] == len(anomalies) - 1

    # A conflict needs the result that stands: the browser asks for it, and so does
    # the server when the form is sent without one.
    conflict = next(a for a in anomalies if a[1] == "conflicting_results")
    section = webdriver.find_element(B.ID, f"problem-{conflict[0]}")
    radios = section.find_elements(B.CSS_SELECTOR, "input[type=radio][name=result]")
    assert len(radios) >= 2
    section.find_element(B.NAME, "note").send_keys("The retest stands")
    webdriver.execute_script(
        "arguments[0].querySelectorAll('input').forEach(i => i.removeAttribute('required'))",
        section)
    click(webdriver, section.find_element(B.CSS_SELECTOR, "button[type=submit]"))
    refused = [f for f in flashes(webdriver) if f.startswith("Not recorded")]
    assert refused and "say which result stands" in refused[0], flashes(webdriver)
    assert sql("select count(*) from ops.problem_handling") == [(1,)]

    section = webdriver.find_element(B.ID, f"problem-{conflict[0]}")
    radios = section.find_elements(B.CSS_SELECTOR, "input[type=radio][name=result]")
    chosen = radios[-1].get_attribute("value")
    radios[-1].click()
    section.find_element(B.NAME, "note").send_keys("The retest stands")
    click(webdriver, section.find_element(B.CSS_SELECTOR, "button[type=submit]"))
    assert f"Recorded: problem {conflict[0]} handled by Cleo." in flashes(webdriver)
    assert sql("select note, handled_by, recorded_from, chosen_result_id "
               "from ops.problem_handling where problem_id = %s", (conflict[0],)) == [
        ("The retest stands", "Cleo", "review page", chosen)]
    # Its sibling (the other result's anomaly) is settled too: both leave the page.
    left = {a[0] for a in open_anomalies(sql)}
    shown = {s.get_attribute("data-problem")
             for s in webdriver.find_elements(B.CSS_SELECTOR, "section.problem")}
    assert shown == left and conflict[0] not in shown
    assert not any(a[1] == "conflicting_results" for a in open_anomalies(sql))
    assert waiting(webdriver)[0] == len(left) == nav_count(webdriver, "anomalies")


# -- 6. errors and quarantined files ------------------------------------------------------
@pytest.mark.db_from("review_template")
def test_errors_and_quarantined_files_with_first_reasons_and_the_archive(
        webdriver, site, sql):  # noqa: F811
    B = by()
    sign_in(webdriver, site, site.tokens[0], "Ana")
    click(webdriver, webdriver.find_element(B.ID, "nav-errors"))
    ids = dict(sql("select original_name, file_id from raw.file_manifest"))
    rows = {r.get_attribute("data-file"): r
            for r in webdriver.find_elements(B.CSS_SELECTOR, "#errors tr[data-file]")}
    assert set(rows) == {str(ids[SAT_FILE]), str(ids[DRIFT_FILE])}
    assert waiting(webdriver)[0] == 2 == nav_count(webdriver, "errors")

    name, line, field, value = SCORE_ERROR
    sat = rows[str(ids[SAT_FILE])]
    assert sat.find_element(B.TAG_NAME, "a").text == name
    assert [li.text for li in sat.find_elements(B.TAG_NAME, "li")] == [
        f"line {line}: {field} '{value}': out_of_range: integer 400 to 1600"]
    assert sat.find_elements(B.CSS_SELECTOR, ".tag") == []

    drift = rows[str(ids[DRIFT_FILE])]
    assert drift.find_element(B.CSS_SELECTOR, ".tag").text == "quarantined"
    (reason,) = [li.text for li in drift.find_elements(B.TAG_NAME, "li")]
    assert reason.startswith("CSV header matches no layout version of sat_csv")
    assert reason.endswith(f"lacks columns of version 2024: {DRIFT_MISSING}")
    screenshot(webdriver, "errors")

    # The file's link: its manifest entry, where the archived bytes are, not the content.
    click(webdriver, drift.find_element(B.LINK_TEXT, DRIFT_FILE))
    assert webdriver.find_element(B.TAG_NAME, "h1").text == DRIFT_FILE
    entry = {r.get_attribute("data-field"): r.find_element(B.TAG_NAME, "td").text
             for r in webdriver.find_elements(B.CSS_SELECTOR, "#file tr[data-field]")}
    (archive, status), = sql("select archive_path, status from raw.file_manifest "
                             "where file_id = %s", (ids[DRIFT_FILE],))
    assert entry["archive_path"] == archive and archive.endswith(f"/{DRIFT_FILE}")
    assert entry["status"] == status
    assert "Yul" not in webdriver.page_source  # the file's one row stays in the archive
    screenshot(webdriver, "file")


DATA_ERROR_KINDS = ("result_error", "score_error", "placement_error", "org_file_error",
                    "quarantined_file")


# -- the test data is what it says (tests/review_data.py) ------------------------------
@pytest.mark.db_from("review_template")
def test_three_potential_cases_wait_oldest_first_each_with_its_candidates(sql):
    rows = sql("select record_id, queue_position, candidate_rank, candidate_person_id, "
               "file_name, reason from marts.mart_match_review_queue "
               "order by queue_position, candidate_rank")
    assert [r[0] for r in rows] == [TWINS, TWINS, MARKUP, DORSEY]
    assert {r[0]: [c[3] for c in rows if c[0] == r[0]] for r in rows} == CANDIDATES
    assert [r[1] for r in rows] == [1, 1, 2, 3]
    assert {r[4] for r in rows} == {SAT_FILE}
    assert all("between the review and automatic thresholds" in r[5] for r in rows)
    outcomes = dict(sql("select record_id, outcome from marts.mart_person_matches"))
    assert outcomes == {MATCHED: "matched", NEW: "new", **dict.fromkeys(POTENTIAL, "potential")}


@pytest.mark.db_from("review_template")
def test_the_markup_case_carries_html_and_script_on_both_sides(sql):
    rows = sql("select record_first_name, record_last_name, candidate_first_name, "
               "candidate_last_name, first_name_agreement, last_name_agreement "
               "from marts.mart_match_review_queue where record_id = %s", (MARKUP,))
    assert rows == [(MARKUP_FIRST, MARKUP_LAST, MARKUP_FIRST, MARKUP_LAST, "agree", "agree")]


@pytest.mark.db_from("review_template")
def test_no_case_has_ssn_digits_no_sat_layout_maps_an_ssn(sql):
    assert sql("select count(*) from seeds.layout_fields where field_role = 'ssn'") == [(0,)]
    assert sql("select count(*) from marts.mart_match_review_queue where ssn_level <> "
               "'missing' or record_ssn_last4 is not null or candidate_ssn_last4 is not null"
               ) == [(0,)]


@pytest.mark.db_from("review_template")
def test_an_open_score_error_names_its_file_line_field_and_value(sql):
    rows = sql("select file_name, line_number, field, field_value, explanation, status, domain "
               "from marts.mart_problems where problem_kind = 'score_error'")
    assert rows == [(*SCORE_ERROR, "out_of_range: integer 400 to 1600", "open", "admissions")]


@pytest.mark.db_from("review_template")
def test_the_drifted_file_is_an_open_quarantined_file_problem_with_its_archive(sql):
    rows = sql("select p.file_name, p.explanation, p.status, p.line_number, m.archive_path "
               "from marts.mart_problems p join raw.file_manifest m on m.file_id = p.file_id "
               "where p.problem_kind = 'quarantined_file'")
    assert len(rows) == 1, rows
    name, explanation, status, line, archive = rows[0]
    assert (name, status, line) == (DRIFT_FILE, "open", None)
    assert explanation == ("CSV header matches no layout version of sat_csv; "
                           f"it lacks columns of version 2024: {DRIFT_MISSING}")
    assert archive.endswith(f"/{DRIFT_FILE}")
    # Quarantined whole: none of its rows reached the matching.
    assert sql("select count(*) from marts.mart_person_matches where file_name = %s",
               (DRIFT_FILE,)) == [(0,)]
    # Nothing else waits: the pages' counts are these problems and cases only.
    assert sql("select problem_kind, count(*) from marts.mart_problems group by 1 "
               "order by 1") == [("quarantined_file", 1), ("score_error", 1)]


@pytest.mark.db_from("problems_template")
def test_the_problems_template_has_open_anomalies_and_a_conflict_with_choices(sql):
    anomalies = sql("select problem_kind, count(*) from marts.mart_problems "
                    "where status = 'open' and problem_kind not in %s group by 1 order by 1",
                    (DATA_ERROR_KINDS,))
    assert dict(anomalies).keys() == {"application_not_pending", "conflicting_results",
                                      "no_matching_application"}, anomalies
    choices = sql("select p.problem_id, count(c.result_id) from marts.mart_problems p "
                  "join marts.mart_problem_choices c on c.problem_id = p.problem_id "
                  "where p.problem_kind = 'conflicting_results' and p.status = 'open' "
                  "group by 1")
    assert choices and all(n >= 2 for _, n in choices), choices
