"""What every CLI module shares: the error handling, the context, the --out option.

Cheap to import (typer only): `python cli.py --help` must stay fast.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer

from loaders.core.errors import ScorebridgeError

OutOpt = Annotated[Path, typer.Option("--out", help="Folder for the file (or a .csv file "
                                      "path).")]


def domain_errors(func):
    """A known problem becomes one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ScorebridgeError as exc:
            from loaders.core.ui import scrub

            typer.echo(f"error: {scrub(str(exc))}", err=True)
            raise typer.Exit(1) from None

    return wrapper


def open_from_cli(cli_ctx: typer.Context):
    """The project context for the global --config and --quiet of the main command."""
    from loaders.core.context import open_context

    params = cli_ctx.find_root().params
    return open_context(params.get("config"), quiet=bool(params.get("quiet")))
