"""Remote names custody must survive: a NUL byte, a name near the file-system
limit, `..` inside a name, control characters; and a removal whose reply
never came. Real servers on loopback, a real database."""

import hashlib
import os

import pytest

from loaders.core.names import SAFE_NAME_BYTES, printable, safe_file_name
from loaders.custody.transports import UnsafeNameError, check_remote_name
from tests.helpers import run_cli, write_config
from tests.servers import NUL_STAND_IN

HEADER = "CandidateID,EligibilityID,LastName,FirstName,ExamCode,TestDate,Score,Result\n"


def results(tag: str, n: int = 2) -> bytes:
    return (HEADER + "".join(f"C{tag}{i},E{tag}{i},Doe,Jan,EX1,2026-01-0{1 + i},{70 + i},PASS\n"
                             for i in range(n))).encode()


def odd_sftp_source(server, **over) -> dict:
    return {"name": "oddvendor", "format": "prometric_results", "transport": "sftp",
            "host": server.host, "port": server.port, "user": server.user,
            "password": {"env": "ODD_SFTP_PASSWORD"}, "known_hosts": str(server.known_hosts),
            "remote_folder": "/inbox", "settle_seconds": 0, **over}


def local_source(inbox, **over) -> dict:
    return {"name": "prometric", "format": "prometric_results", "transport": "local",
            "remote_folder": str(inbox), "settle_seconds": 0, **over}


def cli(tmp_path, config, *args, server=None):
    env = {"COLUMNS": "300"}  # status tables unwrapped
    if server is not None:
        env["ODD_SFTP_PASSWORD"] = server.password
    return run_cli("--config", str(config), *args, cwd=tmp_path, env=env)


def test_nul_in_a_remote_name_is_refused_and_recorded_and_the_rest_comes_in(
        tmp_path, odd_name_sftp_server, sql):
    server = odd_name_sftp_server
    remote = server.root / "inbox"
    remote.mkdir()
    (remote / f"BAD{NUL_STAND_IN}.csv").write_bytes(results("n"))
    (remote / "GOOD.csv").write_bytes(results("g"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "LOCAL.csv").write_bytes(results("l"))
    config = write_config(tmp_path, [odd_sftp_source(server), local_source(inbox)])

    first = cli(tmp_path, config, "fetch", server=server)
    assert first.returncode == 0, first.stderr
    assert "1 refused" in first.stdout
    assert sql("select source, original_name, status, quarantine_reason from raw.file_manifest "
               "order by file_id") == [
        ("oddvendor", "BAD\\x00.csv", "refused", "the remote name holds a NUL byte"),
        ("oddvendor", "GOOD.csv", "landed", None),
        ("prometric", "LOCAL.csv", "landed", None)]
    assert sorted(p.name for p in remote.iterdir()) == [f"BAD{NUL_STAND_IN}.csv"]  # left there
    assert "\x00" not in (tmp_path / "scorebridge.log").read_text()

    (remote / "GOOD2.csv").write_bytes(results("h"))
    second = cli(tmp_path, config, "fetch", server=server)
    assert second.returncode == 0, second.stderr
    assert sql("select original_name, status from raw.file_manifest where file_id > 3") == [
        ("GOOD2.csv", "landed")]  # refused once, not once per run
    status = cli(tmp_path, config, "status", server=server)
    assert status.returncode == 0, status.stderr
    assert "BAD\\x00.csv" in status.stdout and "NUL byte" in status.stdout


def test_only_a_dot_dot_component_is_refused():
    for fine in ("a..b.csv", "scores..csv", "..hidden.csv", "v1...csv"):
        assert check_remote_name(fine) == fine
    for bad in ("..", ".", "../x.csv", "x/../y.csv", "..\\x.csv", "a/b.csv", "", "a\x00b"):
        with pytest.raises(UnsafeNameError):
            check_remote_name(bad)


def test_a_name_with_two_dots_inside_is_fetched_like_any_other(tmp_path, sql):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a..b.csv").write_bytes(results("d"))
    config = write_config(tmp_path, [local_source(inbox)])
    result = cli(tmp_path, config, "fetch")
    assert result.returncode == 0, result.stderr
    assert sql("select original_name, status from raw.file_manifest") == [("a..b.csv", "landed")]
    assert not list(inbox.iterdir())


def test_safe_file_name_keeps_short_names_and_shortens_long_ones_apart():
    assert safe_file_name("RESULTS_1.csv") == "RESULTS_1.csv"
    long_a, long_b = "é" * 120 + "A.csv", "é" * 120 + "B.csv"
    short_a, short_b = safe_file_name(long_a), safe_file_name(long_b)
    assert short_a != short_b
    assert len(short_a.encode()) <= SAFE_NAME_BYTES and short_a.endswith(".csv")
    assert hashlib.sha256(long_a.encode()).hexdigest()[:16] in short_a
    short_a.encode("utf-8")  # cut between characters, never inside one


def test_printable_escapes_control_characters_only():
    assert printable("a\nb\x1b[31mc\x00\t\x7f.csv") == "a\\nb\\x1b[31mc\\x00\\t\\x7f.csv"
    assert printable("Ünïcode nàme.csv") == "Ünïcode nàme.csv"
    assert printable("evil\u202eVSC.exe") == "evil\\u202eVSC.exe"


def test_control_characters_in_names_are_escaped_in_logs_and_output(tmp_path, sql):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    name = "RES\nULT\x1b[2J.csv"
    (inbox / name).write_bytes(b"not,the,right,header\n1,2,3,4\n")
    config = write_config(tmp_path, [local_source(inbox)])
    result = cli(tmp_path, config, "fetch")
    assert result.returncode == 0, result.stderr
    assert sql("select original_name, status from raw.file_manifest") == [(name, "quarantined")]
    log_text = (tmp_path / "scorebridge.log").read_text()
    for text in (log_text, result.stdout, result.stderr):
        assert "\x1b" not in text
        assert "RES\\nULT\\x1b[2J.csv" in text
    assert not [line for line in log_text.splitlines() if line.startswith("ULT")]
    status = cli(tmp_path, config, "status")
    assert "\x1b" not in status.stdout and "RES\\nULT\\x1b[2J.csv" in status.stdout


def test_a_name_near_the_file_system_limit_is_archived_and_backed_up_shortened(
        tmp_path, sftp_server, sftp_folder, sql):
    long_name = "RESULTS_" + "x" * 238 + ".csv"  # 250 bytes: fits the server's disk, no more
    assert len(long_name.encode()) == 250
    backup = sftp_folder / "backup"
    backup.mkdir()
    first_bytes = results("a")
    (sftp_folder / long_name).write_bytes(first_bytes)
    config = write_config(tmp_path, [{
        "name": "vendor", "format": "prometric_results", "transport": "sftp",
        "host": "127.0.0.1", "port": sftp_server.port, "user": sftp_server.user,
        "key_file": str(sftp_server.key_file), "known_hosts": str(sftp_server.known_hosts),
        "remote_folder": str(sftp_folder), "backup_folder": str(backup), "settle_seconds": 0}])
    first = cli(tmp_path, config, "fetch")
    assert first.returncode == 0, first.stderr
    short = safe_file_name(long_name)
    rows = sql("select original_name, status, archive_path, backed_up_at is not null, "
               "removed_at is not null from raw.file_manifest")
    assert [(n, s, b, r) for n, s, _, b, r in rows] == [(long_name, "landed", True, True)]
    archive_path = rows[0][2]
    assert archive_path.endswith("/" + short) and open(archive_path, "rb").read() == first_bytes
    assert [p.name for p in backup.iterdir()] == [short]
    assert (backup / short).read_bytes() == first_bytes
    assert long_name not in [p.name for p in sftp_folder.iterdir()]

    (sftp_folder / long_name).write_bytes(first_bytes)  # the same delivery again
    again = cli(tmp_path, config, "fetch")
    assert again.returncode == 0, again.stderr
    assert "1 duplicate" in again.stdout
    (sftp_folder / long_name).write_bytes(results("b", 3))  # the same name, other content
    other = cli(tmp_path, config, "fetch")
    assert other.returncode == 0, other.stderr
    assert sql("select original_name, status, rows_landed from raw.file_manifest "
               "order by file_id") == [(long_name, "landed", 2), (long_name, "duplicate", None),
                                       (long_name, "landed", 3)]
    archived = sorted(p.name for p in (tmp_path / "archive" / "vendor").rglob("*") if p.is_file())
    assert len(archived) == 2 and all(len(n.encode()) < 255 for n in archived)
    assert not [p for p in sftp_folder.iterdir() if p.is_file()]


def test_a_kill_between_the_delete_and_its_reply_is_recorded_by_the_next_run(tmp_path, sql):
    inbox, backup = tmp_path / "inbox", tmp_path / "backup"
    inbox.mkdir()
    (inbox / "GONE.csv").write_bytes(results("g"))
    (inbox / "KEPT.csv").write_bytes(results("k"))
    config = write_config(tmp_path, [local_source(inbox, backup_folder=str(backup))])
    assert cli(tmp_path, config, "fetch").returncode == 0
    # The state such a kill leaves: archived, landed, backed up and gone from
    # the server, but the reply (and so removed_at) never came.
    sql("update raw.file_manifest set removed_at = null")
    (inbox / "KEPT.csv").write_bytes(results("k"))  # this one is still on the server
    result = cli(tmp_path, config, "fetch")
    assert result.returncode == 0, result.stderr
    assert sql("select original_name, removed_at is not null, removal_note, status "
               "from raw.file_manifest order by original_name") == [
        ("GONE.csv", True, "found gone from the server by a later run; "
                           "custody never saw its removal succeed", "landed"),
        ("KEPT.csv", True, None, "landed")]  # fetched again: resumed and removed
    assert not list(inbox.iterdir())
    assert sql("select count(*) from raw.prometric_results") == [(4,)]


def test_a_name_that_is_not_utf8_is_refused_and_recorded_in_a_local_inbox(tmp_path, sql):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with open(bytes(inbox) + b"/caf\xe9.csv", "wb") as f:  # Latin-1 bytes, legal on Linux
        f.write(results("c"))
    (inbox / "GOOD.csv").write_bytes(results("g"))
    config = write_config(tmp_path, [local_source(inbox)])
    for _ in range(2):
        result = cli(tmp_path, config, "fetch")
        assert result.returncode == 0, result.stderr
    assert sql("select original_name, status, quarantine_reason from raw.file_manifest "
               "order by file_id") == [
        ("caf\\udce9.csv", "refused", "the remote name is not UTF-8 text"),
        ("GOOD.csv", "landed", None)]
    assert os.listdir(bytes(inbox)) == [b"caf\xe9.csv"]


def test_an_sftp_folder_with_a_name_that_is_not_utf8_fails_that_source_only(
        tmp_path, sftp_server, sftp_folder, sql):
    with open(bytes(sftp_folder) + b"/caf\xe9.csv", "wb") as f:
        f.write(results("c"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "LOCAL.csv").write_bytes(results("l"))
    config = write_config(tmp_path, [{
        "name": "vendor", "format": "prometric_results", "transport": "sftp",
        "host": "127.0.0.1", "port": sftp_server.port, "user": sftp_server.user,
        "key_file": str(sftp_server.key_file), "known_hosts": str(sftp_server.known_hosts),
        "remote_folder": str(sftp_folder), "settle_seconds": 0}, local_source(inbox)])
    result = cli(tmp_path, config, "fetch")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"cannot list {sftp_folder}: a file name there is not UTF-8 text" in result.stderr
    assert sql("select source, original_name, status from raw.file_manifest") == [
        ("prometric", "LOCAL.csv", "landed")]
