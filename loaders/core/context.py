"""The project context every verb works in: the configuration, the database
and an open connection, with secrets registered for scrubbing and logging set
up. In core so that the CLI modules of every room can open it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from loaders.core.config import Config, load_config
from loaders.core.db import Database, database, ensure_schema
from loaders.core.formats import registry
from loaders.core.paths import STATE_DIR
from loaders.core.ui import register_secret, setup_logging


@dataclass
class Context:
    cfg: Config
    db: Database
    conn: object
    quiet: bool = False
    verbose: bool = False

    @property
    def log_file(self) -> Path:
        return log_file(self.cfg)


def log_file(cfg: Config) -> Path:
    """The project's log file: ``log_file`` of the config, else .scorebridge/scorebridge.log."""
    return cfg.log_file or STATE_DIR / "scorebridge.log"


def register_secrets(cfg: Config) -> None:
    """Every secret of the configuration is blanked from what is logged."""
    for src in cfg.sources:
        for secret in (src.password, src.key_passphrase, src.pgp and src.pgp.passphrase):
            if secret:
                register_secret(secret.reveal())
    if cfg.smtp and cfg.smtp.password:
        register_secret(cfg.smtp.password.reveal())


def open_context(config_path: Path | None, quiet: bool = False,
                 verbose: bool = False) -> Context:
    cfg = load_config(config_path, formats=set(registry()))
    register_secrets(cfg)
    setup_logging(log_file(cfg), quiet, verbose)
    db = database()
    register_secret(db.password)
    conn = db.connect()
    ensure_schema(conn, registry().values())
    return Context(cfg=cfg, db=db, conn=conn, quiet=quiet, verbose=verbose)
