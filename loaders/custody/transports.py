"""File transports for custody: SFTP, FTP, explicit FTPS, HTTPS and a local inbox.

Every transport lists the regular files of one remote folder, downloads one
into an open binary file, removes one, and uploads under a temporary name
that is renamed once its size is verified. Remote names are checked before
use so that nothing can be written outside the archive. Errors are one line
and never carry a secret.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import posixpath
import shutil
import ssl
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from loaders.core.config import SourceConfig
from loaders.core.errors import ScorebridgeError
from loaders.core.names import printable

log = logging.getLogger(__name__)
BLOCK = 1 << 20


class TransportError(ScorebridgeError):
    """A transport problem, one line, never containing a secret."""


class HostKeyError(TransportError):
    """The SFTP server's host key is unknown or changed."""


class UnsafeNameError(TransportError):
    """A remote name that could escape the archive folder."""


@dataclass
class RemoteFile:
    name: str
    size: int  # -1 when unknown
    mtime: float | None = None


def check_remote_name(name: str) -> str:
    """Refuses names that are paths or could climb out of a folder, and names
    holding a NUL byte (no file system or database text can keep one). Dots
    inside a name are fine (``a..b.csv``); only a whole ``..`` is a way up."""
    if "\x00" in name:
        raise UnsafeNameError("the remote name holds a NUL byte")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes a local folder's listing could not decode
        raise UnsafeNameError("the remote name is not UTF-8 text") from None
    if name in ("", ".", ".."):
        raise UnsafeNameError(f"unsafe remote file name {printable(name)!r}: not a file name")
    if "/" in name or "\\" in name:
        raise UnsafeNameError(f"unsafe remote file name {printable(name)!r}: "
                              "a path, not a name")
    return name


class Transport:
    """Base class; a context manager that closes the connection."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def list_files(self) -> list[RemoteFile]:
        raise NotImplementedError

    def download(self, name: str, out: BinaryIO,
                 progress: Callable[[int], None] | None = None) -> int:
        raise NotImplementedError

    def remove(self, name: str) -> None:
        raise NotImplementedError

    def upload(self, local: Path, remote_folder: str, remote_name: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _copy_stream(src, out: BinaryIO, progress: Callable[[int], None] | None) -> int:
    total = 0
    while True:
        chunk = src.read(BLOCK)
        if not chunk:
            return total
        out.write(chunk)
        total += len(chunk)
        if progress:
            progress(len(chunk))


# -- local inbox ---------------------------------------------------------------
class LocalTransport(Transport):
    def __init__(self, source: SourceConfig) -> None:
        self.folder = Path(source.remote_folder)
        if not self.folder.is_dir():
            raise TransportError(f"local inbox {self.folder} is not a folder")

    def list_files(self) -> list[RemoteFile]:
        files = []
        for entry in os.scandir(self.folder):
            if entry.is_file(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                files.append(RemoteFile(entry.name, st.st_size, st.st_mtime))
        return sorted(files, key=lambda f: f.name)

    def download(self, name, out, progress=None) -> int:
        check_remote_name(name)
        with open(self.folder / name, "rb") as src:
            return _copy_stream(src, out, progress)

    def remove(self, name: str) -> None:
        check_remote_name(name)
        (self.folder / name).unlink()

    def upload(self, local: Path, remote_folder: str, remote_name: str) -> None:
        check_remote_name(remote_name)
        folder = Path(remote_folder)
        if not folder.is_absolute():
            folder = self.folder / folder
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{remote_name}.part"
        shutil.copyfile(local, tmp)
        if tmp.stat().st_size != local.stat().st_size:
            tmp.unlink()
            raise TransportError(f"upload of {remote_name} to {folder}: size mismatch")
        os.replace(tmp, folder / remote_name)


# -- SFTP ----------------------------------------------------------------------
def key_fingerprint(key) -> str:
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def _host_entry(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


def fetch_host_key(host: str, port: int, timeout: float = 15):
    """The server's host key, read without authenticating."""
    import paramiko

    try:
        transport = paramiko.Transport((host, port))
        transport.banner_timeout = timeout
        transport.start_client(timeout=timeout)
    except (OSError, paramiko.SSHException) as exc:
        raise TransportError(f"sftp {host}:{port}: cannot connect: {exc}") from None
    try:
        return transport.get_remote_server_key()
    finally:
        transport.close()


def record_host_key(known_hosts: Path, host: str, port: int, key) -> None:
    known_hosts.parent.mkdir(parents=True, exist_ok=True)
    line = f"{_host_entry(host, port)} {key.get_name()} {key.get_base64()}\n"
    with open(known_hosts, "a", encoding="utf-8") as f:
        f.write(line)
    os.chmod(known_hosts, 0o600)


# OpenSSH's sftp-server answers reads of up to 255 KiB; 128 KiB measured
# fastest over loopback (benchmarks/bench_sftp.py).
READ_REQUEST_BYTES = 128 * 1024


class SftpTransport(Transport):
    def __init__(self, source: SourceConfig) -> None:
        import paramiko

        self.source = source
        self.host = source.host
        self.port = source.port or 22
        self.folder = source.remote_folder or "."
        where = f"sftp {self.host}:{self.port}"
        known = paramiko.HostKeys()
        if source.known_hosts and source.known_hosts.exists():
            known.load(str(source.known_hosts))
        try:
            sock = _connect(self.host, self.port, source.timeout)
            # paramiko's default window and packet sizes measured fastest against
            # OpenSSH here; larger windows slowed prefetching down several times.
            self.transport = paramiko.Transport(sock)
            # AES-GCM needs no separate MAC pass over each packet: the fastest
            # cipher both sides have, where the server offers it.
            options = self.transport.get_security_options()
            options.ciphers = sorted(options.ciphers, key=lambda c: "gcm" not in c)
            self.transport.banner_timeout = source.timeout
            self.transport.start_client(timeout=source.timeout)
        except (OSError, paramiko.SSHException) as exc:
            raise TransportError(f"{where}: cannot connect: {exc}") from None
        key = self.transport.get_remote_server_key()
        self._check_host_key(known, key, where)
        try:
            if source.key_file is not None:
                passphrase = source.key_passphrase.reveal() if source.key_passphrase else None
                pkey = _load_private_key(source.key_file, passphrase)
                self.transport.auth_publickey(source.user, pkey)
            elif source.password is not None:
                self.transport.auth_password(source.user, source.password.reveal())
            else:
                raise TransportError(f"{where}: no password or key_file configured")
        except paramiko.AuthenticationException:
            self.transport.close()
            raise TransportError(f"{where}: authentication failed for user {source.user}") \
                from None
        except paramiko.SSHException as exc:
            self.transport.close()
            raise TransportError(f"{where}: login failed: {type(exc).__name__}") from None
        self.sftp = paramiko.SFTPClient.from_transport(self.transport)
        self.sftp.get_channel().settimeout(source.timeout)

    def _check_host_key(self, known, key, where: str) -> None:
        entry = _host_entry(self.host, self.port)
        offered = known.lookup(entry)
        fingerprint = key_fingerprint(key)
        if offered is None:
            self.transport.close()
            raise HostKeyError(
                f"{where}: unknown host key ({key.get_name()} {fingerprint}); check it with the "
                f"vendor and run `python cli.py trust-host {self.source.name}`")
        if offered.get(key.get_name()) is None or \
                offered[key.get_name()].asbytes() != key.asbytes():
            self.transport.close()
            raise HostKeyError(
                f"{where}: host key CHANGED (now {key.get_name()} {fingerprint}); this may be an "
                f"attack. Refused. If the vendor confirms a new key, remove the old line from "
                f"{self.source.known_hosts} and run `python cli.py trust-host {self.source.name}`")

    def _path(self, name: str) -> str:
        return posixpath.join(self.folder, check_remote_name(name))

    def list_files(self) -> list[RemoteFile]:
        try:
            entries = self.sftp.listdir_attr(self.folder)
        except OSError as exc:
            raise TransportError(f"sftp {self.host}:{self.port}: cannot list {self.folder}: "
                                 f"{exc.strerror or exc}") from None
        except UnicodeDecodeError:
            # paramiko decodes every name of a listing strictly, so one such
            # name hides the whole folder; the other sources still run.
            raise TransportError(f"sftp {self.host}:{self.port}: cannot list {self.folder}: "
                                 "a file name there is not UTF-8 text; ask the vendor to "
                                 "rename it") from None
        return sorted((RemoteFile(e.filename, e.st_size, e.st_mtime) for e in entries
                       if e.st_mode is not None and stat.S_ISREG(e.st_mode)),
                      key=lambda f: f.name)

    def download(self, name, out, progress=None) -> int:
        path = self._path(name)
        total = 0
        try:
            with self.sftp.open(path, "rb") as remote:
                # Prefetch: every read request of the file is in flight at once,
                # READ_REQUEST_BYTES each (paramiko asks 32 KiB, a quarter of the
                # speed on loopback). A server that answers shorter reads is still
                # read correctly: paramiko then falls back to plain reads, and
                # custody checks the size.
                remote.MAX_REQUEST_SIZE = READ_REQUEST_BYTES
                remote.prefetch(remote.stat().st_size)
                while data := remote.read(1 << 20):
                    out.write(data)
                    total += len(data)
                    if progress:
                        progress(len(data))
        except OSError as exc:
            raise TransportError(f"sftp: cannot download {path}: {exc.strerror or exc}") \
                from None
        return total

    def remove(self, name: str) -> None:
        path = self._path(name)
        try:
            self.sftp.remove(path)
        except OSError as exc:
            raise TransportError(f"sftp: cannot remove {path}: {exc.strerror or exc}") from None

    def upload(self, local: Path, remote_folder: str, remote_name: str) -> None:
        check_remote_name(remote_name)
        final = posixpath.join(remote_folder, remote_name)
        tmp = posixpath.join(remote_folder, f".{remote_name}.part")
        try:
            self.sftp.put(str(local), tmp, confirm=True)
            if self.sftp.stat(tmp).st_size != local.stat().st_size:
                raise TransportError(f"sftp: upload of {final}: size mismatch")
            try:
                self.sftp.posix_rename(tmp, final)
            except OSError:
                try:
                    self.sftp.remove(final)
                except OSError:
                    pass
                self.sftp.rename(tmp, final)
        except OSError as exc:
            raise TransportError(f"sftp: cannot upload {final}: {exc.strerror or exc}") from None

    def close(self) -> None:
        try:
            self.sftp.close()
        finally:
            self.transport.close()


def _connect(host: str, port: int, timeout: float):
    import socket

    sock = socket.create_connection((host, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _load_private_key(path: Path, passphrase: str | None):
    import paramiko

    for cls in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return cls.from_private_key_file(str(path), password=passphrase)
        except paramiko.PasswordRequiredException:
            raise TransportError(f"key file {path} needs a passphrase (key_passphrase)") \
                from None
        except (paramiko.SSHException, ValueError):
            continue
        except OSError as exc:
            raise TransportError(f"cannot read key file {path}: {exc.strerror}") from None
    raise TransportError(f"key file {path} is not a usable private key (or wrong passphrase)")


# -- FTP / FTPS ----------------------------------------------------------------
class FtpTransport(Transport):
    def __init__(self, source: SourceConfig) -> None:
        import ftplib

        self.host = source.host
        self.port = source.port or 21
        self.folder = source.remote_folder or "."
        self.tls = source.transport == "ftps"
        where = f"{source.transport} {self.host}:{self.port}"
        try:
            if self.tls:
                context = ssl.create_default_context(
                    cafile=str(source.ca_file) if source.ca_file else None)
                self.ftp = ftplib.FTP_TLS(context=context, timeout=source.timeout)
            else:
                self.ftp = ftplib.FTP(timeout=source.timeout)
            # The PASV reply's address is ignored: data goes to the control host.
            self.ftp.trust_server_pasv_ipv4_address = False
            self.ftp.connect(self.host, self.port)
            password = source.password.reveal() if source.password else ""
            self.ftp.login(source.user or "anonymous", password)
            if self.tls:
                self.ftp.prot_p()
            self.ftp.set_pasv(True)
        except ssl.SSLCertVerificationError as exc:
            raise TransportError(f"{where}: certificate verify failed: {exc.verify_message}") \
                from None
        except ftplib.error_perm as exc:
            code = str(exc)[:3]
            if code == "530":
                raise TransportError(f"{where}: authentication failed for user {source.user}") \
                    from None
            raise TransportError(f"{where}: refused: {code}") from None
        except (OSError, ftplib.Error, EOFError) as exc:
            raise TransportError(f"{where}: cannot connect: {type(exc).__name__}: {exc}") \
                from None
        self.where = where

    def _path(self, name: str) -> str:
        return posixpath.join(self.folder, check_remote_name(name))

    def list_files(self) -> list[RemoteFile]:
        import ftplib

        try:
            files = []
            for name, facts in self.ftp.mlsd(self.folder, facts=["type", "size", "modify"]):
                if facts.get("type") == "file":
                    files.append(RemoteFile(name, int(facts.get("size", -1)), None))
            return sorted(files, key=lambda f: f.name)
        except ftplib.error_perm:
            pass  # no MLSD: fall back to NLST + SIZE
        except (OSError, ftplib.Error) as exc:
            raise TransportError(f"{self.where}: cannot list {self.folder}: {exc}") from None
        files = []
        try:
            self.ftp.voidcmd("TYPE I")
            names = self.ftp.nlst(self.folder)
        except (OSError, ftplib.Error) as exc:
            # A folder that is not there (550) ends here, MLSD having failed too.
            raise TransportError(f"{self.where}: cannot list {self.folder}: {exc}") from None
        for path in names:
            name = posixpath.basename(path)
            try:
                size = self.ftp.size(posixpath.join(self.folder, name))
            except ftplib.error_perm:
                continue  # a folder
            files.append(RemoteFile(name, size if size is not None else -1, None))
        return sorted(files, key=lambda f: f.name)

    def download(self, name, out, progress=None) -> int:
        import ftplib

        path = self._path(name)
        total = 0

        def write(chunk: bytes) -> None:
            nonlocal total
            out.write(chunk)
            total += len(chunk)
            if progress:
                progress(len(chunk))

        try:
            self.ftp.retrbinary(f"RETR {path}", write, blocksize=BLOCK)
        except (OSError, ftplib.Error) as exc:
            raise TransportError(f"{self.where}: cannot download {path}: {exc}") from None
        return total

    def remove(self, name: str) -> None:
        import ftplib

        path = self._path(name)
        try:
            self.ftp.delete(path)
        except (OSError, ftplib.Error) as exc:
            raise TransportError(f"{self.where}: cannot remove {path}: {exc}") from None

    def upload(self, local: Path, remote_folder: str, remote_name: str) -> None:
        import ftplib

        check_remote_name(remote_name)
        final = posixpath.join(remote_folder, remote_name)
        tmp = posixpath.join(remote_folder, f".{remote_name}.part")
        try:
            with open(local, "rb") as f:
                self.ftp.storbinary(f"STOR {tmp}", f, blocksize=BLOCK)
            self.ftp.voidcmd("TYPE I")
            if self.ftp.size(tmp) != local.stat().st_size:
                raise TransportError(f"{self.where}: upload of {final}: size mismatch")
            try:
                self.ftp.delete(final)
            except ftplib.error_perm:
                pass
            self.ftp.rename(tmp, final)
        except (OSError, ftplib.Error) as exc:
            raise TransportError(f"{self.where}: cannot upload {final}: {exc}") from None

    def close(self) -> None:
        try:
            self.ftp.quit()
        except Exception:  # the connection may already be gone
            self.ftp.close()


# -- HTTPS ---------------------------------------------------------------------
class HttpsTransport(Transport):
    """Downloads configured URLs; the server keeps its files (remove is a no-op)."""

    def __init__(self, source: SourceConfig) -> None:
        self.source = source
        self.context = ssl.create_default_context(
            cafile=str(source.ca_file) if source.ca_file else None)
        self.by_name: dict[str, str] = {}
        for url in source.urls:
            from urllib.parse import unquote, urlsplit

            name = unquote(posixpath.basename(urlsplit(url).path))
            self.by_name[check_remote_name(name)] = url

    def _request(self, url: str, method: str):
        import urllib.error
        import urllib.request
        from urllib.parse import urlsplit

        req = urllib.request.Request(url, method=method)
        if self.source.user and self.source.password:
            token = base64.b64encode(
                f"{self.source.user}:{self.source.password.reveal()}".encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        host = urlsplit(url).netloc
        try:
            return urllib.request.urlopen(req, context=self.context, timeout=self.source.timeout)
        except urllib.error.HTTPError as exc:
            raise TransportError(f"https {host}: {method} {urlsplit(url).path}: HTTP {exc.code}") \
                from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ssl.SSLCertVerificationError):
                raise TransportError(f"https {host}: certificate verify failed: "
                                     f"{reason.verify_message}") from None
            raise TransportError(f"https {host}: {reason}") from None

    def list_files(self) -> list[RemoteFile]:
        files = []
        for name, url in self.by_name.items():
            with self._request(url, "HEAD") as resp:
                length = resp.headers.get("Content-Length")
            files.append(RemoteFile(name, int(length) if length else -1, None))
        return files

    def download(self, name, out, progress=None) -> int:
        url = self.by_name[check_remote_name(name)]
        with self._request(url, "GET") as resp:
            return _copy_stream(resp, out, progress)

    def remove(self, name: str) -> None:
        log.info("https source %s: %s stays on the server (HTTPS cannot remove)",
                 self.source.name, name)

    def upload(self, local: Path, remote_folder: str, remote_name: str) -> None:
        raise TransportError("https sources cannot receive uploads")


_TRANSPORTS = {"local": LocalTransport, "sftp": SftpTransport, "ftp": FtpTransport,
               "ftps": FtpTransport, "https": HttpsTransport}


def open_transport(source: SourceConfig) -> Transport:
    started = time.monotonic()
    transport = _TRANSPORTS[source.transport](source)
    log.debug("%s: connected in %.2fs", source.name, time.monotonic() - started)
    return transport
