"""PGP files are decrypted with the system gpg; bad ones are quarantined."""

import shutil
import subprocess

import gnupg
import pytest

from tests.helpers import run_cli, write_config

pytestmark = pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg not installed")
CSV = (b"CandidateID,EligibilityID,ExamCode,TestDate,Result\n"
       b"C1,E1,X,2026-01-05,PASS\nC2,E2,X,2026-01-05,FAIL\n")


def make_key(home, email: str, passphrase: str):
    gpg = gnupg.GPG(gnupghome=str(home))
    spec = gpg.gen_key_input(key_type="EDDSA", key_curve="ed25519", subkey_type="ECDH",
                             subkey_curve="cv25519", name_email=email, passphrase=passphrase)
    key = gpg.gen_key(spec)
    assert key.fingerprint, key.stderr
    return gpg, key.fingerprint


@pytest.fixture(scope="module")
def keyring(tmp_path_factory):
    """Our key and somebody else's, generated once per module (seconds each)."""
    home = tmp_path_factory.mktemp("keyring") / "gnupg"
    home.mkdir(mode=0o700)
    gpg, ours = make_key(home, "us@example.org", "correct horse")
    _, theirs = make_key(home, "someone-else@example.org", "other")
    secret = gpg.export_keys(ours, secret=True, passphrase="correct horse")
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)
    return home, ours, theirs, secret


@pytest.fixture
def pgp_project(tmp_path, keyring):
    source, ours, theirs, secret = keyring
    home = tmp_path / "gnupg"
    shutil.copytree(source, home, ignore=shutil.ignore_patterns("S.*"))
    gpg = gnupg.GPG(gnupghome=str(home))
    (tmp_path / "private.asc").write_text(secret)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = write_config(tmp_path, [{
        "name": "vue", "format": "prometric_results", "transport": "local",
        "remote_folder": str(inbox), "settle_seconds": 0,
        "pgp": {"key_file": "private.asc", "passphrase": {"env": "SB_TEST_PGP"}},
    }])
    yield tmp_path, inbox, config, gpg, ours, theirs
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)


def encrypt(gpg, recipient, data: bytes) -> bytes:
    result = gpg.encrypt(data, [recipient], always_trust=True, armor=False)
    assert result.ok, result.status
    return result.data


def test_encrypted_file_is_decrypted_and_landed(pgp_project, sql):
    tmp_path, inbox, config, gpg, ours, _ = pgp_project
    encrypted = encrypt(gpg, ours, CSV)
    (inbox / "RESULTS_20260301.csv.pgp").write_bytes(encrypted)
    result = run_cli("--config", str(config), "fetch", cwd=tmp_path,
                     env={"SB_TEST_PGP": "correct horse"})
    assert result.returncode == 0, result.stderr
    (status, archive, clear), = sql("select status, archive_path, decrypted_path "
                                    "from raw.file_manifest")
    assert status == "landed"
    assert open(archive, "rb").read() == encrypted  # the encrypted original stays archived
    assert open(clear, "rb").read() == CSV
    assert sql("select candidateid, result from raw.prometric_results order by 1") == [
        ("C1", "PASS"), ("C2", "FAIL")]
    assert "correct horse" not in (tmp_path / "scorebridge.log").read_text()


@pytest.mark.parametrize("case", ["wrong key", "corrupt"])
def test_wrong_key_or_corrupt_file_is_quarantined(case, pgp_project, sql):
    tmp_path, inbox, config, gpg, _, theirs = pgp_project
    data = encrypt(gpg, theirs, CSV) if case == "wrong key" else b"\x85\x01garbage" * 20
    (inbox / "RESULTS.csv.gpg").write_bytes(data)
    result = run_cli("--config", str(config), "fetch", cwd=tmp_path,
                     env={"SB_TEST_PGP": "correct horse"})
    assert result.returncode == 0, result.stderr
    assert "1 quarantined" in result.stdout
    (status, reason, archive), = sql("select status, quarantine_reason, archive_path "
                                     "from raw.file_manifest")
    assert status == "quarantined"
    expected = "wrong key" if case == "wrong key" else "not a valid OpenPGP file"
    assert expected in reason
    assert open(archive, "rb").read() == data
    assert sql("select count(*) from raw.prometric_results") == [(0,)]
    status_out = run_cli("--config", str(config), "status", cwd=tmp_path,
                         env={"SB_TEST_PGP": "correct horse"})
    assert "quarantined" in status_out.stdout and "RESULTS.csv.gpg" in status_out.stdout
