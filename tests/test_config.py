from pathlib import Path

import pytest

from loaders.core.config import ConfigError, Secret, load_config, parse_config

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


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("sources:\n  - name: [unclosed\n")
    with pytest.raises(ConfigError, match=r"bad.yml: line \d+ is not valid YAML"):
        load_config(path)
