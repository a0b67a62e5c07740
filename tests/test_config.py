from pathlib import Path

import pytest

from loaders.core.config import ConfigError, Secret, load_config, parse_config
from tests.helpers import run_cli

BASE = Path("/tmp")


def source(**over):
    src = {"name": "act", "format": "act_csv", "transport": "local", "remote_folder": "inbox"}
    src.update(over)
    return src


def error_of(data) -> str:
    with pytest.raises(ConfigError) as exc:
        parse_config(data, BASE, formats={"act_csv"})
    return str(exc.value)


def test_inline_password_is_refused_naming_the_key():
    msg = error_of({"sources": [source(transport="sftp", host="h", known_hosts="kh",
                                       password="hunter2")]})
    assert msg.startswith("sources[act].password:")
    assert "never inline" in msg
    assert "hunter2" not in msg


def test_secret_from_env_and_file(monkeypatch, tmp_path):
    monkeypatch.setenv("ACT_PW", "s3cret-value")
    (tmp_path / "pp").write_text("file-secret\n")
    cfg = parse_config({"sources": [source(transport="sftp", host="h", known_hosts="kh",
                                           password={"env": "ACT_PW"},
                                           key_passphrase={"file": "pp"})]},
                       tmp_path, formats={"act_csv"})
    src = cfg.sources[0]
    assert isinstance(src.password, Secret)
    assert src.password.reveal() == "s3cret-value"
    assert src.key_passphrase.reveal() == "file-secret"
    assert "s3cret" not in repr(src) and "file-secret" not in repr(src)


def test_missing_env_secret():
    msg = error_of({"sources": [source(transport="sftp", host="h", known_hosts="kh",
                                       password={"env": "SB_SURELY_UNSET"})]})
    assert msg == "sources[act].password: environment variable SB_SURELY_UNSET is not set"


@pytest.mark.parametrize("over,expected", [
    ({"format": "nope"}, "sources[act].format: unknown format 'nope'"),
    ({"transport": "scp"}, "sources[act].transport: 'scp' is not one of"),
    ({"expect_every": "3 days"}, "sources[act].expect_every: '3 days' is not a duration"),
    ({"delete_after": "yes"}, "sources[act].delete_after: expected bool"),
    ({"colour": "red"}, "sources[act].colour: unknown key"),
    ({"transport": "sftp", "host": "h", "password": {"env": "HOME"}},
     "sources[act].known_hosts: required"),
    ({"transport": "https"}, "sources[act].urls: required"),
    ({"transport": "https", "urls": ["http://x/y.csv"]}, "sources[act].urls[0]: 'http://x/y.csv'"),
    ({"timeout": -5}, "sources[act].timeout: -5 must be more than 0"),
    ({"timeout": 0}, "sources[act].timeout: 0 must be more than 0"),
    ({"settle_seconds": -1}, "sources[act].settle_seconds: -1 must be 0 or more"),
    ({"port": 99999}, "sources[act].port: 99999 must be from 1 to 65535"),
    ({"port": 0}, "sources[act].port: 0 must be from 1 to 65535"),
    ({"expect_every": "0d"}, "sources[act].expect_every: '0d' must be longer than nothing"),
])
def test_bad_values_name_the_key(over, expected):
    assert error_of({"sources": [source(**over)]}).startswith(expected)


def test_duplicate_source_names():
    assert error_of({"sources": [source(), source()]}) == "sources[act].name: defined twice"


def test_durations_and_defaults():
    cfg = parse_config({"sources": [source(expect_every="3d")]}, BASE, formats={"act_csv"})
    src = cfg.sources[0]
    assert src.expect_every == 3 * 86400
    assert src.delete_after is True
    assert src.remote_folder == "/tmp/inbox"
    assert cfg.archive == BASE / "archive"


def test_smtp_block():
    cfg = parse_config({"smtp": {"host": "mail", "to": "ops@example.org"}}, BASE)
    assert cfg.smtp.recipients == ["ops@example.org"]
    assert error_of({"smtp": {"host": "mail"}}) == "smtp.to: required"


def test_smtp_port_in_range():
    assert error_of({"smtp": {"host": "mail", "to": "a@b.c", "port": 70000}}) == (
        "smtp.port: 70000 must be from 1 to 65535")


def test_config_not_utf8_or_a_folder_is_one_line(tmp_path):
    path = tmp_path / "latin1.yml"
    path.write_bytes("archive: Zürich\n".encode("latin-1"))
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(exc.value) == (f"{path}: not UTF-8 text (byte 0xfc at offset 10); "
                              "save it as UTF-8")
    with pytest.raises(ConfigError) as exc:
        load_config(tmp_path)
    assert str(exc.value) == f"{tmp_path}: is a folder, not a config file"


def test_bad_config_and_bad_database_port_give_one_line_no_traceback(tmp_path):
    folder = tmp_path / "cfg"
    folder.mkdir()
    result = run_cli("--config", str(folder), "status", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {folder}: is a folder, not a config file"
    bad_port = run_cli("status", cwd=tmp_path,
                       env={"SCOREBRIDGE_DATABASE_URL": "postgresql://x@127.0.0.1:99999/x"})
    assert bad_port.returncode == 1
    assert bad_port.stderr.strip().splitlines() == [
        'error: cannot connect to PostgreSQL at x@127.0.0.1:99999/x: invalid port number: "99999"']


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("sources:\n  - name: [unclosed\n")
    with pytest.raises(ConfigError, match=r"bad.yml: line \d+ is not valid YAML"):
        load_config(path)
