"""Real servers on loopback for the tests: OpenSSH sshd (SFTP), pyftpdlib
(FTP and explicit FTPS), an HTTPS server and aiosmtpd (SMTP). No mocks."""

from __future__ import annotations

import datetime
import email
import email.policy
import http.server
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port}")


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 and localhost: (cert, key)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


# -- SFTP: OpenSSH's sshd ----------------------------------------------------------
@dataclass
class SftpServer:
    host: str
    port: int
    user: str
    key_file: Path
    password_user: str
    password: str
    root: Path
    known_hosts: Path
    fingerprint: str
    host_key_pub: Path


def _ensure_user(name: str, home: Path, password: str) -> None:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "-M", "-d", str(home), "-s", "/bin/sh", name], check=True)
    subprocess.run(["chpasswd"], input=f"{name}:{password}", text=True, check=True)
    subprocess.run(["usermod", "-d", str(home), name], check=True, capture_output=True)


def start_sshd(folder: Path) -> tuple[subprocess.Popen, SftpServer]:
    """Starts sshd on a free loopback port with its own keys and users."""
    if not Path(SSHD).exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "system-deps.sh")], check=True)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    host_key = folder / "host_ed25519"
    client_key = folder / "client_ed25519"
    for key in (host_key, client_key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                       check=True)
    authorized = folder / "authorized_keys"
    shutil.copy(f"{client_key}.pub", authorized)
    # Outside pytest's private tmp folder, so the password user can reach it.
    root = Path(tempfile.mkdtemp(prefix="sb-sftp-"))
    os.chmod(root, 0o777)
    password = secrets.token_urlsafe(12)
    # A user of its own per xdist worker: each worker's sshd sets the password.
    user = f"sbtest_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    _ensure_user(user, root, password)
    Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation folder
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n"
        f"PidFile {folder / 'sshd.pid'}\nAuthorizedKeysFile {authorized}\n"
        "PermitRootLogin yes\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\n"
        "UsePAM no\nStrictModes no\nSubsystem sftp internal-sftp\nLogLevel ERROR\n"
        "MaxStartups 100\n")
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    wait_for_port(port)
    known_hosts = folder / "known_hosts"
    pub = Path(f"{host_key}.pub").read_text().split()
    known_hosts.write_text(f"[127.0.0.1]:{port} {pub[0]} {pub[1]}\n")
    import base64
    import hashlib

    fingerprint = "SHA256:" + base64.b64encode(
        hashlib.sha256(base64.b64decode(pub[1])).digest()).decode().rstrip("=")
    import getpass

    return proc, SftpServer("127.0.0.1", port, getpass.getuser(), client_key, user, password,
                            root, known_hosts, fingerprint, Path(f"{host_key}.pub"))


@pytest.fixture(scope="session")
def sftp_server(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the sshd fixture runs as root (it creates a password user)")
    proc, server = start_sshd(tmp_path_factory.mktemp("sshd"))
    yield server
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def sftp_folder(sftp_server):
    """A fresh remote folder on the SFTP server for one test."""
    folder = sftp_server.root / secrets.token_hex(4)
    folder.mkdir()
    os.chmod(folder, 0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# -- FTP and FTPS: pyftpdlib ---------------------------------------------------------
@dataclass
class FtpServer:
    host: str
    port: int
    user: str
    password: str
    root: Path
    ca_file: Path | None


def _start_ftp(folder: Path, tls: bool):
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import FTPServer

    root = folder / "files"
    root.mkdir(parents=True)
    password = secrets.token_urlsafe(12)
    authorizer = DummyAuthorizer()
    authorizer.add_user("vendor", password, str(root), perm="elradfmwMT")
    ca_file = None
    if tls:
        cert, key = self_signed_cert(folder)
        handler = type("Handler", (TLS_FTPHandler,), {})
        handler.certfile = str(cert)
        handler.keyfile = str(key)
        handler.tls_control_required = True
        handler.tls_data_required = True
        ca_file = cert
    else:
        handler = type("Handler", (FTPHandler,), {})
    handler.authorizer = authorizer
    handler.passive_ports = None
    # Its own event loop: pyftpdlib's default loop is shared by the process.
    server = FTPServer(("127.0.0.1", 0), handler, ioloop=IOLoop())
    port = server.address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.2},
                              daemon=True)
    thread.start()
    return server, FtpServer("127.0.0.1", port, "vendor", password, root, ca_file)


@pytest.fixture
def ftp_server(tmp_path):
    server, info = _start_ftp(tmp_path / "ftp", tls=False)
    yield info
    server.close_all()


@pytest.fixture
def ftps_server(tmp_path):
    server, info = _start_ftp(tmp_path / "ftps", tls=True)
    yield info
    server.close_all()


# -- HTTPS -----------------------------------------------------------------------------
@dataclass
class HttpsServer:
    base_url: str
    root: Path
    ca_file: Path


@pytest.fixture
def https_server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    cert, key = self_signed_cert(tmp_path)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield HttpsServer(f"https://127.0.0.1:{httpd.server_address[1]}", root, cert)
    httpd.shutdown()


# -- SMTP: aiosmtpd ----------------------------------------------------------------------
@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list = field(default_factory=list)


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    info = SmtpServer("127.0.0.1", free_port())

    class Collect:
        async def handle_DATA(self, server, session, envelope):
            info.messages.append(email.message_from_bytes(envelope.content,
                                                          policy=email.policy.default))
            return "250 OK"

    controller = Controller(Collect(), hostname=info.host, port=info.port)
    controller.start()
    yield info
    controller.stop()


# -- SFTP names a disk cannot hold: a paramiko server over one folder ----------------------
# OpenSSH serves what the file system holds, and no Linux file system holds a
# NUL in a name; the SFTP protocol carries one all the same. This server (the
# real protocol, over loopback) shows every NUL_STAND_IN of an on-disk name as
# a NUL byte, so custody can be given the names some vendors' servers send.
NUL_STAND_IN = "{NUL}"


@dataclass
class OddNameSftpServer:
    host: str
    port: int
    user: str
    password: str
    root: Path
    known_hosts: Path


def _odd_name_sftp(root: Path, user: str, password: str):
    import paramiko

    def on_disk(path: str) -> Path:
        parts = [p.replace("\x00", NUL_STAND_IN) for p in path.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise PermissionError(path)
        return root.joinpath(*parts)

    def shown(name: str) -> str:
        return name.replace(NUL_STAND_IN, "\x00")

    def failing(call):
        def wrapped(*args):
            try:
                return call(*args)
            except OSError as exc:
                return paramiko.SFTPServer.convert_errno(exc.errno or 1)
            except ValueError:
                return paramiko.sftp.SFTP_FAILURE
        return wrapped

    class Handle(paramiko.SFTPHandle):
        def stat(self):
            return paramiko.SFTPAttributes.from_stat(os.fstat(self.file.fileno()))

        def chattr(self, attr):
            return paramiko.sftp.SFTP_OK

    class Folder(paramiko.SFTPServerInterface):
        def canonicalize(self, path):
            return "/" + "/".join(p for p in path.split("/") if p not in ("", "."))

        @failing
        def list_folder(self, path):
            found = []
            for entry in os.scandir(on_disk(path)):
                attr = paramiko.SFTPAttributes.from_stat(entry.stat(follow_symlinks=False))
                attr.filename = shown(entry.name)
                found.append(attr)
            return found

        @failing
        def stat(self, path):
            return paramiko.SFTPAttributes.from_stat(os.stat(on_disk(path)))

        lstat = stat

        @failing
        def open(self, path, flags, attr):
            fd = os.open(on_disk(path), flags | getattr(os, "O_BINARY", 0), 0o644)
            if flags & os.O_WRONLY:
                mode = "ab" if flags & os.O_APPEND else "wb"
            elif flags & os.O_RDWR:
                mode = "a+b" if flags & os.O_APPEND else "r+b"
            else:
                mode = "rb"
            handle = Handle(flags)
            handle.file = os.fdopen(fd, mode)
            handle.readfile = handle.file if "r" in mode or "+" in mode else None
            handle.writefile = handle.file if mode != "rb" else None
            return handle

        @failing
        def remove(self, path):
            os.unlink(on_disk(path))
            return paramiko.sftp.SFTP_OK

        @failing
        def rename(self, old, new):
            if on_disk(new).exists():
                return paramiko.sftp.SFTP_FAILURE
            os.rename(on_disk(old), on_disk(new))
            return paramiko.sftp.SFTP_OK

        @failing
        def posix_rename(self, old, new):
            os.replace(on_disk(old), on_disk(new))
            return paramiko.sftp.SFTP_OK

        @failing
        def mkdir(self, path, attr):
            os.mkdir(on_disk(path))
            return paramiko.sftp.SFTP_OK

        @failing
        def chattr(self, path, attr):
            return paramiko.sftp.SFTP_OK

    class Login(paramiko.ServerInterface):
        def get_allowed_auths(self, username):
            return "password"

        def check_auth_password(self, username, offered):
            ok = username == user and secrets.compare_digest(offered, password)
            return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

        def check_channel_request(self, kind, chanid):
            return paramiko.OPEN_SUCCEEDED if kind == "session" else \
                paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    return Folder, Login


@pytest.fixture
def odd_name_sftp_server(tmp_path):
    """An SFTP server on loopback whose names may hold NUL bytes (NUL_STAND_IN)."""
    import paramiko

    root = tmp_path / "odd-sftp"
    root.mkdir()
    user, password = "vendor", secrets.token_urlsafe(12)
    folder_cls, login_cls = _odd_name_sftp(root, user, password)
    host_key = paramiko.ECDSAKey.generate()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    sessions: list = []
    stopping = threading.Event()

    def serve():
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            session = paramiko.Transport(conn)
            session.add_server_key(host_key)
            session.set_subsystem_handler("sftp", paramiko.SFTPServer, folder_cls)
            session.start_server(server=login_cls())
            sessions.append(session)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    known_hosts = tmp_path / "odd-sftp-known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {host_key.get_name()} {host_key.get_base64()}\n")
    yield OddNameSftpServer("127.0.0.1", port, user, password, root, known_hosts)
    stopping.set()
    thread.join(5)
    listener.close()
    for session in sessions:
        session.close()
