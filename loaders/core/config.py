"""The one YAML configuration file: sources, archive folder, SMTP, sync settings.

Secrets (passwords, key passphrases) are given by reference only:
``{env: NAME}`` or ``{file: PATH}``. They are resolved when read and kept in
:class:`Secret` objects whose ``repr`` never shows the value, so a secret
cannot reach a log line or a traceback by accident.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from loaders.core.errors import ScorebridgeError

TRANSPORTS = ("sftp", "ftp", "ftps", "https", "local")
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_DURATION_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
# The two-way learner sync (docs/sync.md, Settings): which side wins per entity.
SYNC_MODES = ("none", "push", "pull")
SYNC_DATE_MODES = ("push", "pull")
SECOND_ASSESSOR_ROLES = ("second_assessor", "assessor", "none")


class ConfigError(ScorebridgeError):
    """A configuration problem, worded as one line naming the key."""


class Secret:
    """A resolved secret. Its text is only reachable through ``reveal()``."""

    __slots__ = ("_value", "origin")

    def __init__(self, value: str, origin: str) -> None:
        self._value = value
        self.origin = origin

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret(from {self.origin})"

    __str__ = __repr__


@dataclass
class PgpConfig:
    key_file: Path
    passphrase: Secret | None = None


@dataclass
class SourceConfig:
    name: str
    format: str
    transport: str
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: Secret | None = None
    key_file: Path | None = None
    key_passphrase: Secret | None = None
    known_hosts: Path | None = None
    remote_folder: str = "."
    pattern: str = "*"
    backup_folder: str | None = None
    delete_after: bool = True
    pgp: PgpConfig | None = None
    expect_every: int | None = None  # seconds
    urls: list[str] = field(default_factory=list)
    ca_file: Path | None = None
    timeout: float = 60.0
    settle_seconds: float = 2.0  # between the two listings that spot growing files


@dataclass
class SmtpConfig:
    host: str
    port: int = 25
    user: str | None = None
    password: Secret | None = None
    starttls: bool = False
    ssl: bool = False
    sender: str = "scorebridge@localhost"
    recipients: list[str] = field(default_factory=list)


@dataclass
class SyncSettings:
    """The ``sync:`` section: the two-way sync of side A (the training provider's
    learner system) and side B (the assessment platform). Every field has the
    default documented in docs/sync.md and declared in dbt_project.yml ``vars:``
    as ``sync_<field>``; the dbt models read them there, not here."""

    enabled: bool = False
    learner_mode: str = "none"
    officer_mode: str = "none"
    organisation_mode: str = "none"
    qualification_dates_mode: str = "push"
    update_gender: bool = False
    update_ethnicity: bool = False
    send_disability: bool = False
    student_id_from_lrn: bool = False
    risk_from_coach: bool = False
    push_employer_changes: bool = False
    push_assessor_changes: bool = False
    second_assessor_role: str = "second_assessor"
    welcome_email: bool = True
    create_sso_users: bool = False

    def dbt_vars(self) -> dict:
        """Every setting as the dbt var ``sync_<field>``."""
        return {f"sync_{f.name}": getattr(self, f.name) for f in fields(self)}

    def changed_dbt_vars(self) -> dict:
        """The vars that differ from the defaults: what goes on dbt's command line.
        dbt re-parses the whole project whenever its --vars change, so a config
        without a sync section passes none, like every dbt call that has no config."""
        defaults = SyncSettings().dbt_vars()
        return {k: v for k, v in self.dbt_vars().items() if v != defaults[k]}


@dataclass
class Config:
    path: Path | None
    archive: Path
    sources: list[SourceConfig] = field(default_factory=list)
    smtp: SmtpConfig | None = None
    log_file: Path | None = None
    # The distribution list of the same-date test date changes: `run` writes
    # their file in ``exports`` (beside the config file) and emails it here.
    date_changes_to: list[str] = field(default_factory=list)
    exports: Path = Path("exports")
    sync: SyncSettings = field(default_factory=SyncSettings)

    def source(self, name: str) -> SourceConfig:
        for src in self.sources:
            if src.name == name:
                return src
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"sources: no source named {name!r} (configured: {known})")


def parse_duration(text: Any, key: str) -> int:
    """``3d`` -> seconds. Units: m, h, d, w."""
    match = _DURATION.match(str(text))
    if not match:
        raise ConfigError(f"{key}: {text!r} is not a duration like 12h, 3d or 1w")
    seconds = int(match.group(1)) * _DURATION_SECONDS[match.group(2)]
    if seconds <= 0:
        raise ConfigError(f"{key}: {text!r} must be longer than nothing (e.g. 1d)")
    return seconds


def _in_range(value, key: str, low=None, high=None, above=None):
    """The value, or a ConfigError naming the key and the allowed range."""
    if value is None:
        return None
    if above is not None and not value > above:
        raise ConfigError(f"{key}: {value} must be more than {above}")
    if (low is not None and value < low) or (high is not None and value > high):
        limits = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise ConfigError(f"{key}: {value} must be {limits}")
    return value


def resolve_secret(value: Any, key: str, base: Path) -> Secret | None:
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) != 1:
        raise ConfigError(
            f"{key}: secrets are given by reference, {{env: NAME}} or {{file: PATH}}, never inline"
        )
    (kind, ref), = value.items()
    if kind == "env":
        if str(ref) not in os.environ:
            raise ConfigError(f"{key}: environment variable {ref} is not set")
        return Secret(os.environ[str(ref)], f"env {ref}")
    if kind == "file":
        path = _path(ref, base)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{key}: cannot read secret file {path}: {exc.strerror}") from None
        return Secret(text.rstrip("\r\n"), f"file {path}")
    raise ConfigError(f"{key}: unknown secret reference {kind!r} (use env or file)")


def _path(value: Any, base: Path) -> Path:
    path = Path(os.path.expanduser(str(value)))
    return path if path.is_absolute() else base / path


class _Reader:
    """Reads one mapping, naming the full key in every error."""

    def __init__(self, data: Any, prefix: str, base: Path) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{prefix}: expected a mapping, got {type(data).__name__}")
        self.data = data
        self.prefix = prefix
        self.base = base
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def get(self, name: str, kind: type | tuple = str, default: Any = None, required=False):
        self.used.add(name)
        if name not in self.data or self.data[name] is None:
            if required:
                raise ConfigError(f"{self.key(name)}: required")
            return default
        value = self.data[name]
        if kind is int and isinstance(value, bool):
            raise ConfigError(f"{self.key(name)}: expected a number, got {value!r}")
        if not isinstance(value, kind):
            want = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise ConfigError(f"{self.key(name)}: expected {want}, got {value!r}")
        return value

    def path(self, name: str, required=False) -> Path | None:
        value = self.get(name, str, required=required)
        return None if value is None else _path(value, self.base)

    def secret(self, name: str) -> Secret | None:
        self.used.add(name)
        return resolve_secret(self.data.get(name), self.key(name), self.base)

    def finish(self) -> None:
        unknown = sorted(set(map(str, self.data)) - self.used)
        if unknown:
            raise ConfigError(f"{self.key(unknown[0])}: unknown key")


def _source(data: Any, index: int, base: Path, formats: set[str] | None) -> SourceConfig:
    label = data.get("name") if isinstance(data, dict) else None
    r = _Reader(data, f"sources[{label or index}]", base)
    name = r.get("name", required=True)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ConfigError(f"{r.key('name')}: {name!r} may hold only letters, digits, _ and -")
    fmt = r.get("format", required=True)
    if formats is not None and fmt not in formats:
        raise ConfigError(f"{r.key('format')}: unknown format {fmt!r} (see FORMATS in README)")
    transport = r.get("transport", required=True)
    if transport not in TRANSPORTS:
        raise ConfigError(f"{r.key('transport')}: {transport!r} is not one of {', '.join(TRANSPORTS)}")
    src = SourceConfig(name=name, format=fmt, transport=transport)
    src.host = r.get("host", required=transport in ("sftp", "ftp", "ftps"))
    src.port = _in_range(r.get("port", int), r.key("port"), 1, 65535)
    src.user = r.get("user")
    src.password = r.secret("password")
    src.key_file = r.path("key_file")
    src.key_passphrase = r.secret("key_passphrase")
    src.known_hosts = r.path("known_hosts", required=transport == "sftp")
    src.remote_folder = r.get("remote_folder", default="." if transport != "local" else None,
                              required=transport == "local")
    if transport == "local":
        src.remote_folder = str(_path(src.remote_folder, base))
    src.pattern = r.get("pattern", default="*")
    src.backup_folder = r.get("backup_folder")
    src.delete_after = r.get("delete_after", bool, default=True)
    src.timeout = float(_in_range(r.get("timeout", (int, float), default=60), r.key("timeout"),
                                  above=0))
    src.settle_seconds = float(_in_range(r.get("settle_seconds", (int, float), default=2),
                                         r.key("settle_seconds"), 0))
    urls = r.get("urls", list, default=[], required=transport == "https")
    for i, url in enumerate(urls):
        if not isinstance(url, str) or not url.startswith("https://"):
            raise ConfigError(f"{r.key('urls')}[{i}]: {url!r} is not an https:// address")
    src.urls = list(urls)
    src.ca_file = r.path("ca_file")
    if "expect_every" in r.data:
        src.expect_every = parse_duration(r.get("expect_every", (str, int)), r.key("expect_every"))
    pgp = r.get("pgp", dict)
    if pgp is not None:
        p = _Reader(pgp, r.key("pgp"), base)
        src.pgp = PgpConfig(key_file=p.path("key_file", required=True),
                            passphrase=p.secret("passphrase"))
        p.finish()
    if transport == "sftp" and src.password is None and src.key_file is None:
        raise ConfigError(f"{r.key('password')}: sftp needs a password or a key_file")
    r.finish()
    return src


def _smtp(data: Any, base: Path) -> SmtpConfig:
    r = _Reader(data, "smtp", base)
    smtp = SmtpConfig(host=r.get("host", required=True))
    smtp.port = _in_range(r.get("port", int, default=25), r.key("port"), 1, 65535)
    smtp.user = r.get("user")
    smtp.password = r.secret("password")
    smtp.starttls = r.get("starttls", bool, default=False)
    smtp.ssl = r.get("ssl", bool, default=False)
    smtp.sender = r.get("from", default="scorebridge@localhost")
    to = r.get("to", (list, str), required=True)
    smtp.recipients = [to] if isinstance(to, str) else [str(x) for x in to]
    r.finish()
    return smtp


def _choice(r: _Reader, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = r.get(name, str, default=default)
    if value not in allowed:
        raise ConfigError(f"{r.key(name)}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _sync(data: Any, base: Path) -> SyncSettings:
    r = _Reader(data, "sync", base)
    if "disability_mode" in r.data:
        # Disability is A's alone: there is no mode, only whether it is sent.
        if r.data["disability_mode"] == "pull":
            raise ConfigError(f"{r.key('disability_mode')}: disability is sent from A to B only "
                              "(send_disability: true); it can never be pulled")
        raise ConfigError(f"{r.key('disability_mode')}: not a setting: disability is sent "
                          "from A to B or not (send_disability: true or false)")
    sync = SyncSettings()
    if r.data.get("qualification_dates_mode") == "none":
        raise ConfigError(f"{r.key('qualification_dates_mode')}: none is not allowed: "
                          "qualification dates are always brought into line (push or pull)")
    for f in fields(sync):
        if isinstance(f.default, bool):
            setattr(sync, f.name, r.get(f.name, bool, default=f.default))
    sync.learner_mode = _choice(r, "learner_mode", SYNC_MODES, "none")
    sync.officer_mode = _choice(r, "officer_mode", SYNC_MODES, "none")
    sync.organisation_mode = _choice(r, "organisation_mode", SYNC_MODES, "none")
    sync.qualification_dates_mode = _choice(r, "qualification_dates_mode", SYNC_DATE_MODES,
                                            "push")
    sync.second_assessor_role = _choice(r, "second_assessor_role", SECOND_ASSESSOR_ROLES,
                                        "second_assessor")
    r.finish()
    return sync


def parse_config(data: Any, base: Path, path: Path | None = None,
                 formats: set[str] | None = None) -> Config:
    if data is None:
        data = {}
    r = _Reader(data, "", base)
    cfg = Config(path=path, archive=r.path("archive") or base / "archive")
    cfg.log_file = r.path("log_file")
    raw_sources = r.get("sources", list, default=[])
    cfg.sources = [_source(s, i, base, formats) for i, s in enumerate(raw_sources)]
    names = [s.name for s in cfg.sources]
    for n in names:
        if names.count(n) > 1:
            raise ConfigError(f"sources[{n}].name: defined twice")
    smtp = r.get("smtp", dict)
    cfg.smtp = _smtp(smtp, base) if smtp is not None else None
    cfg.date_changes_to = _addresses(r, "date_changes_to")
    if cfg.date_changes_to and cfg.smtp is None:
        raise ConfigError("date_changes_to: needs smtp (the server the changes are sent through)")
    cfg.exports = base / "exports"
    sync = r.get("sync", dict)
    cfg.sync = _sync(sync, base) if sync is not None else SyncSettings()
    r.finish()
    return cfg


def _addresses(r: _Reader, name: str) -> list[str]:
    """An address or a list of addresses; each must at least hold an @."""
    value = r.get(name, (list, str), default=[])
    addresses = [value] if isinstance(value, str) else [str(x) for x in value]
    for address in addresses:
        if "@" not in address.strip("@"):
            raise ConfigError(f"{r.key(name)}: {address!r} is not an email address")
    return addresses


def load_config(path: Path | None, formats: set[str] | None = None,
                required: bool = False) -> Config:
    """Reads the config file; a missing default file gives an empty config."""
    import yaml

    if path is None:
        path = Path("scorebridge.yml")
        if not path.exists():
            if required:
                raise ConfigError("scorebridge.yml: not found (use --config to choose a file)")
            return parse_config({}, Path.cwd(), None, formats)
    if not path.exists():
        raise ConfigError(f"{path}: config file not found")
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder, not a config file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at "
                          f"offset {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{where} is not valid YAML") from None
    return parse_config(data, path.resolve().parent, path, formats)
