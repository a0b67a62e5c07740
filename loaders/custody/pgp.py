"""PGP decryption with python-gnupg and the system gpg.

Each decryption uses a throwaway keyring holding only the configured private
key, so nothing is left in the user's own keyring.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from loaders.core.config import PgpConfig
from loaders.core.errors import ScorebridgeError

log = logging.getLogger(__name__)
ENCRYPTED_SUFFIXES = (".pgp", ".gpg", ".asc")


class DecryptError(ScorebridgeError):
    """The file could not be decrypted; the message is the quarantine reason."""


def decrypted_name(name: str) -> str:
    for suffix in ENCRYPTED_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name + ".decrypted"


def decrypt(pgp: PgpConfig, encrypted: Path, out: Path) -> None:
    """Decrypts ``encrypted`` into ``out``; raises DecryptError with a reason."""
    import gnupg

    if shutil.which("gpg") is None:
        raise DecryptError("gpg is not installed (Debian package gnupg)")
    home = tempfile.mkdtemp(prefix="scorebridge-gpg-")
    try:
        gpg = gnupg.GPG(gnupghome=home)
        try:
            key_data = pgp.key_file.read_bytes()
        except OSError as exc:
            raise DecryptError(f"cannot read PGP key file {pgp.key_file}: {exc.strerror}") from None
        imported = gpg.import_keys(key_data)
        if not imported.count:
            raise DecryptError(f"no PGP key could be imported from {pgp.key_file}")
        passphrase = pgp.passphrase.reveal() if pgp.passphrase else None
        tmp = out.with_name(out.name + ".part")
        with open(encrypted, "rb") as f:
            result = gpg.decrypt_file(f, passphrase=passphrase, output=str(tmp),
                                      extra_args=["--pinentry-mode", "loopback"])
        if not result.ok:
            tmp.unlink(missing_ok=True)
            raise DecryptError(f"PGP decryption failed: {_reason(result)}")
        tmp.replace(out)
    finally:
        _stop_agent(home)
        shutil.rmtree(home, ignore_errors=True)


def _stop_agent(home: str) -> None:
    """gpg starts an agent for its home folder that outlives the decryption; with
    the folder removed nothing would ever stop it, one agent per file."""
    import subprocess

    if shutil.which("gpgconf"):
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], capture_output=True,
                       timeout=30, check=False)


def _reason(result) -> str:
    status = (result.status or "").strip()
    stderr = result.stderr or ""
    if "no secret key" in stderr or status == "no secret key":
        return "no secret key for this file (wrong key)"
    if "bad passphrase" in stderr.lower() or "bad passphrase" in status:
        return "bad passphrase"
    if "no valid OpenPGP data" in stderr or status == "no data was provided":
        return "not a valid OpenPGP file (corrupt or not encrypted)"
    return status or "unknown gpg error"
