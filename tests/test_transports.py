"""Transports against real servers on loopback: sshd, pyftpdlib, HTTPS."""

import io
import os

import pytest

from loaders.core.config import Secret, SourceConfig
from loaders.custody.transports import (
    HostKeyError,
    TransportError,
    UnsafeNameError,
    check_remote_name,
    open_transport,
)
from tests.helpers import run_cli, write_config


def roundtrip(source: SourceConfig, folder, backup_folder: str):
    """list, download, upload to backup, remove; returns what each step saw."""
    data = os.urandom(5 * 1024 * 1024 + 17)
    (folder / "BIG.dat").write_bytes(data)
    (folder / "small.csv").write_bytes(b"a,b\n1,2\n")
    (folder / "sub").mkdir()
    with open_transport(source) as t:
        listing = {f.name: f.size for f in t.list_files()}
        assert listing == {"BIG.dat": len(data), "small.csv": 8}  # no folders
        out = io.BytesIO()
        seen = []
        assert t.download("BIG.dat", out, seen.append) == len(data)
        assert out.getvalue() == data and sum(seen) == len(data)
        local = folder.parent / f"upload-{folder.name}.bin"
        local.write_bytes(data)
        t.upload(local, backup_folder, "BIG.dat")
        t.remove("BIG.dat")
        assert [f.name for f in t.list_files()] == ["small.csv"]
    return data


def sftp_source(server, folder, **over) -> SourceConfig:
    src = SourceConfig(name="vendor", format="act_csv", transport="sftp", host=server.host,
                       port=server.port, user=server.user, key_file=server.key_file,
                       known_hosts=server.known_hosts, remote_folder=str(folder), timeout=10)
    for key, value in over.items():
        setattr(src, key, value)
    return src


def test_sftp_key_login_roundtrip(sftp_server, sftp_folder):
    backup = sftp_folder / "backup"
    backup.mkdir()
    data = roundtrip(sftp_source(sftp_server, sftp_folder), sftp_folder, str(backup))
    assert (backup / "BIG.dat").read_bytes() == data
    assert [p.name for p in backup.iterdir()] == ["BIG.dat"]  # no .part left behind


def test_sftp_password_login_and_wrong_password(sftp_server, sftp_folder):
    src = sftp_source(sftp_server, sftp_folder, user=sftp_server.password_user, key_file=None,
                      password=Secret(sftp_server.password, "test"))
    (sftp_folder / "x.csv").write_text("x\n")
    with open_transport(src) as t:
        assert [f.name for f in t.list_files()] == ["x.csv"]
    src.password = Secret("wrong-password-123", "test")
    with pytest.raises(TransportError) as exc:
        open_transport(src)
    assert str(exc.value) == (f"sftp 127.0.0.1:{sftp_server.port}: authentication failed "
                              f"for user {sftp_server.password_user}")
    assert "wrong-password-123" not in str(exc.value)


def test_sftp_unknown_and_changed_host_keys_are_refused(sftp_server, sftp_folder, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(HostKeyError) as exc:
        open_transport(sftp_source(sftp_server, sftp_folder, known_hosts=empty))
    assert "unknown host key" in str(exc.value) and sftp_server.fingerprint in str(exc.value)
    assert "trust-host vendor" in str(exc.value)
    other = tmp_path / "other_key"
    os.system(f"ssh-keygen -q -t ed25519 -N '' -f {other}")
    kind, b64 = open(f"{other}.pub").read().split()[:2]
    changed = tmp_path / "changed_hosts"
    changed.write_text(f"[127.0.0.1]:{sftp_server.port} {kind} {b64}\n")
    with pytest.raises(HostKeyError) as exc:
        open_transport(sftp_source(sftp_server, sftp_folder, known_hosts=changed))
    assert "CHANGED" in str(exc.value) and sftp_server.fingerprint in str(exc.value)


def test_trust_host_shows_the_key_and_records_it_after_confirmation(sftp_server, sftp_folder,
                                                                    tmp_path, db_url):
    known = tmp_path / "keys" / "known_hosts"
    config = write_config(tmp_path, [{
        "name": "vendor", "format": "act_csv", "transport": "sftp", "host": "127.0.0.1",
        "port": sftp_server.port, "user": sftp_server.user, "key_file": str(sftp_server.key_file),
        "known_hosts": str(known), "remote_folder": str(sftp_folder)}])
    refused = run_cli("--config", str(config), "fetch", cwd=tmp_path)
    assert refused.returncode == 1 and sftp_server.fingerprint in refused.stderr
    declined = run_cli("--config", str(config), "trust-host", "vendor", cwd=tmp_path)
    assert declined.returncode == 1 and sftp_server.fingerprint in declined.stdout
    assert not known.exists()
    trusted = run_cli("--config", str(config), "trust-host", "vendor", "--yes", cwd=tmp_path)
    assert trusted.returncode == 0, trusted.stderr
    assert known.read_text().startswith(f"[127.0.0.1]:{sftp_server.port} ssh-ed25519 ")
    assert run_cli("--config", str(config), "fetch", cwd=tmp_path).returncode == 0


def test_fetch_over_sftp_end_to_end(sftp_server, sftp_folder, tmp_path, sql):
    (sftp_folder / "RESULTS_1.csv").write_text(
        "CandidateID,EligibilityID,ExamCode,TestDate,Result\n"
        "C1,E1,X,2026-01-05,PASS\nC2,E2,X,2026-01-05,FAIL\n")
    (sftp_folder / "backup").mkdir()
    config = write_config(tmp_path, [{
        "name": "vendor", "format": "prometric_results", "transport": "sftp",
        "host": "127.0.0.1", "port": sftp_server.port, "user": sftp_server.user,
        "key_file": str(sftp_server.key_file), "known_hosts": str(sftp_server.known_hosts),
        "remote_folder": str(sftp_folder), "pattern": "RESULTS_*.csv",
        "backup_folder": str(sftp_folder / "backup"), "settle_seconds": 0.2}])
    result = run_cli("--config", str(config), "fetch", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (sftp_folder / "RESULTS_1.csv").exists()
    assert (sftp_folder / "backup" / "RESULTS_1.csv").read_text().startswith("CandidateID")
    assert sql("select candidateid, result from raw.prometric_results order by 1") == [
        ("C1", "PASS"), ("C2", "FAIL")]


def ftp_source(server, transport="ftp", **over) -> SourceConfig:
    src = SourceConfig(name="vendor", format="act_csv", transport=transport, host=server.host,
                       port=server.port, user=server.user, password=Secret(server.password, "t"),
                       remote_folder="/", ca_file=server.ca_file, timeout=10)
    for key, value in over.items():
        setattr(src, key, value)
    return src


def test_ftp_roundtrip(ftp_server):
    (ftp_server.root / "backup").mkdir()
    data = roundtrip(ftp_source(ftp_server), ftp_server.root, "/backup")
    assert (ftp_server.root / "backup" / "BIG.dat").read_bytes() == data


def test_ftps_roundtrip_and_certificate_verification(ftps_server, tmp_path):
    (ftps_server.root / "backup").mkdir()
    data = roundtrip(ftp_source(ftps_server, "ftps"), ftps_server.root, "/backup")
    assert (ftps_server.root / "backup" / "BIG.dat").read_bytes() == data
    from tests.servers import self_signed_cert

    other_ca, _ = self_signed_cert(tmp_path)
    with pytest.raises(TransportError, match="certificate verify failed"):
        open_transport(ftp_source(ftps_server, "ftps", ca_file=other_ca))


def test_ftp_wrong_password(ftp_server):
    src = ftp_source(ftp_server, password=Secret("not-the-password", "t"))
    with pytest.raises(TransportError) as exc:
        open_transport(src)
    assert "authentication failed for user vendor" in str(exc.value)
    assert "not-the-password" not in str(exc.value)


def test_https_download_with_verification(https_server):
    data = os.urandom(300_000)
    (https_server.root / "GRE_2026.dat").write_bytes(data)
    src = SourceConfig(name="gre", format="gre_fixed", transport="https",
                       urls=[f"{https_server.base_url}/GRE_2026.dat"],
                       ca_file=https_server.ca_file, timeout=10)
    with open_transport(src) as t:
        assert [(f.name, f.size) for f in t.list_files()] == [("GRE_2026.dat", len(data))]
        out = io.BytesIO()
        t.download("GRE_2026.dat", out)
        assert out.getvalue() == data
        t.remove("GRE_2026.dat")  # the server keeps it
    assert (https_server.root / "GRE_2026.dat").exists()
    src.ca_file = None  # the system CAs do not know the throwaway certificate
    with pytest.raises(TransportError, match="certificate verify failed"):
        with open_transport(src) as t:
            t.list_files()


def test_local_roundtrip(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    src = SourceConfig(name="l", format="act_csv", transport="local", remote_folder=str(inbox))
    data = roundtrip(src, inbox, str(tmp_path / "backup"))
    assert (tmp_path / "backup" / "BIG.dat").read_bytes() == data


@pytest.mark.parametrize("name", ["../x", "a/b", "a\\b", "..", ".", "", "x\x00y"])
def test_unsafe_names_are_refused(name):
    with pytest.raises(UnsafeNameError):
        check_remote_name(name)


def test_ordinary_names_pass():
    assert check_remote_name("RESULTS_ACME_20260101.csv") == "RESULTS_ACME_20260101.csv"
    assert check_remote_name("a..b.csv") == "a..b.csv"
