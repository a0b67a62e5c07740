"""`export requests`: who still owes test scores, the two files, the history,
the window, and the upload to a real SFTP server."""

import csv
from datetime import date, timedelta

from tests.helpers import run_cli, write_config


def files(today: date) -> tuple[str, str]:
    """The terms and checklist files, dated from ``today``.

    Due: P1 (never asked), P2 (asked 10 days ago). Not due: P3 (asked 2 days
    ago), P4 (received), P5 (past term), P6 (another item).
    """
    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    terms = f"""term_code,start_date,end_date
PAST,{day(-400)},{day(-300)}
NOW,{day(-10)},{day(60)}
NEXT,{day(90)},{day(200)}
"""
    checklist = f"""person_id,entry_term,item_code,received_date,first_requested_date,last_requested_date
P1,NEXT,TSTS,,,
P2,NOW,TSTS,,{day(-20)},{day(-10)}
P3,NEXT,TSTS,,{day(-2)},{day(-2)}
P4,NEXT,TSTS,{day(-1)},,
P5,PAST,TSTS,,,
P6,NEXT,TRAN,,,
"""
    return terms, checklist


# The score-request models and what they read: the build of this domain alone.
REQUESTS = ("--select", "+models/marts/requests")


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def prepare(tmp_path) -> date:
    """Loads and builds files dated from today (taken now, not at import: a
    suite that runs past midnight must not compare with yesterday)."""
    today = date.today()
    terms, checklist = files(today)
    (tmp_path / "terms.csv").write_text(terms)
    (tmp_path / "checklist.csv").write_text(checklist)
    ok(run_cli("load", "terms", str(tmp_path / "terms.csv"), cwd=tmp_path))
    ok(run_cli("load", "admissions_checklist", str(tmp_path / "checklist.csv"), cwd=tmp_path))
    ok(run_cli("build", *REQUESTS, cwd=tmp_path, timeout=900))
    return today


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_requests_written_recorded_and_not_repeated_within_the_window(tmp_path, sql):
    today = prepare(tmp_path)
    assert sql("select person_id, is_due from marts.mart_score_requests_due order by 1") == [
        ("P1", True), ("P2", True), ("P3", False)]
    out = tmp_path / "out"
    refused = run_cli("export", "requests", "--out", str(out), cwd=tmp_path)
    assert refused.returncode != 0 and "2 score request(s) due" in refused.stdout
    assert not out.exists() or not list(out.iterdir())

    result = ok(run_cli("export", "requests", "--yes", "--out", str(out), cwd=tmp_path))
    request, update = sorted(out.iterdir(), key=lambda p: not p.name.startswith("SCORE"))
    assert request.name == f"SCORE_REQUESTS_{today:%Y%m%d}_000001.csv"
    assert rows(request) == [
        ["PersonID", "EntryTerm", "ItemCode", "FirstRequested", "LastRequested"],
        ["P1", "NEXT", "TSTS", today.isoformat(), today.isoformat()],
        ["P2", "NOW", "TSTS", (today - timedelta(days=20)).isoformat(), today.isoformat()]]
    assert rows(update)[0] == ["PersonID", "EntryTerm", "ItemCode", "FirstRequestedDate",
                               "LastRequestedDate"]
    assert rows(update)[1:] == rows(request)[1:]
    assert f"{request}: 2 request(s), file 1" in result.stdout
    assert sql("select person_id, entry_term, requested_on from ops.score_request_history "
               "order by 1") == [("P1", "NEXT", today), ("P2", "NOW", today)]
    assert sql("select file_name, update_file_name, row_count from ops.score_request_files") == [
        (request.name, update.name, 2)]

    # Asked today: nobody is due again the same day (before any rebuild), and
    # the rebuilt mart shows our request dates.
    again = ok(run_cli("export", "requests", "--yes", "--out", str(out), cwd=tmp_path))
    assert "0 score requests due: nothing written" in again.stdout
    assert len(list(out.iterdir())) == 2
    ok(run_cli("build", *REQUESTS, cwd=tmp_path, timeout=900))
    assert sql("select person_id, last_requested_date, is_due from marts.mart_score_requests_due "
               "where person_id in ('P1', 'P2') order by 1") == [
        ("P1", today, False), ("P2", today, False)]

    # Someone asked 11 days ago by us is due again after the window.
    sql("update ops.score_request_history set requested_on = requested_on - 11 "
        "where person_id = 'P1'")
    third = ok(run_cli("export", "requests", "--yes", "--out", str(out), cwd=tmp_path))
    assert "1 score request(s) due" in third.stdout
    bad = run_cli("export", "requests", "--yes", "--days", "-1", cwd=tmp_path)
    assert bad.returncode == 1 and bad.stderr.strip() == "error: --days -1: must be 0 or more"


def test_request_file_uploaded_over_sftp(tmp_path, sql, sftp_server, sftp_folder):
    today = prepare(tmp_path)
    inbound = sftp_folder / "requests"
    inbound.mkdir()
    inbound.chmod(0o777)
    config = write_config(tmp_path, [{
        "name": "act", "format": "act_csv", "transport": "sftp", "host": sftp_server.host,
        "port": sftp_server.port, "user": sftp_server.user,
        "key_file": str(sftp_server.key_file), "known_hosts": str(sftp_server.known_hosts),
        "remote_folder": str(inbound), "settle_seconds": 0}])
    result = ok(run_cli("--config", str(config), "export", "requests", "--yes", "--out",
                        str(tmp_path / "out"), "--upload", "act", cwd=tmp_path))
    local = tmp_path / "out" / f"SCORE_REQUESTS_{today:%Y%m%d}_000001.csv"
    assert f"uploaded to act:{inbound}" in result.stdout
    assert [p.name for p in inbound.iterdir()] == [local.name]
    assert (inbound / local.name).read_bytes() == local.read_bytes()
    assert sql("select uploaded_to from ops.score_request_files") == [(f"act:{inbound}",)]
