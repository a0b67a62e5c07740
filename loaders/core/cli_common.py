"""What every CLI module shares: the error handling, the context, the --out option.

Cheap to import (typer only): `python cli.py --help` must stay fast.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from loaders.core.errors import ScorebridgeError

OutOpt = Annotated[Path, typer.Option("--out", help="Folder for the file (or a .csv file "
                                      "path).")]
# The upload options of every recorded export that can send its file on.
UploadOpt = Annotated[str | None, typer.Option("--upload", help="Send the file to this "
                                               "configured source.")]
RemoteFolderOpt = Annotated[str | None, typer.Option(
    "--remote-folder", help="Folder on the server (default: the source's remote_folder).")]


def echo_written(written, what: str) -> None:
    """The line of a recorded export that wrote a file, and where it was uploaded."""
    typer.echo(f"{written.path}: {written.rows} {what}, file {written.record_id}, "
               f"sha256 {written.sha256}")
    if written.uploaded_to:
        typer.echo(f"uploaded to {written.uploaded_to}")


def domain_errors(func):
    """A known problem becomes one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ScorebridgeError as exc:
            from loaders.core.runlog import note_failure
            from loaders.core.ui import scrub

            message = scrub(str(exc))
            note_failure(message)  # into the verb's run_log row, when it has one
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(1) from None

    return wrapper


def open_from_cli(cli_ctx: typer.Context):
    """The project context for the global --config, --quiet and --verbose of the
    main command (opened once per command)."""
    from loaders.core.context import open_context

    root = cli_ctx.find_root()
    if _CONTEXT not in root.meta:
        params = root.params
        ctx = open_context(params.get("config"), quiet=bool(params.get("quiet")),
                           verbose=bool(params.get("verbose")))
        root.meta[_CONTEXT] = ctx
        verb = root.meta.get(_VERB)
        if verb is not None:
            from contextlib import ExitStack

            from loaders.core.runlog import logged_run

            stack = ExitStack()
            stack.enter_context(logged_run(ctx.conn, verb))
            root.meta[_RUN] = stack
    return root.meta[_CONTEXT]


_CONTEXT, _VERB, _RUN = "scorebridge_context", "scorebridge_verb", "scorebridge_run"


class RunLoggedGroup(TyperGroup):
    """A group of verbs that each write a ``raw.run_log`` row, verb '<group>
    <command>' (e.g. 'export eligibility'): opened with the project context
    (``--help`` writes none), closed 'ok' or 'failed' with the one-line error
    when the command ends. The command adds counts with runlog.note."""

    def resolve_command(self, ctx, args):
        name, cmd, rest = super().resolve_command(ctx, args)
        ctx.meta[_VERB] = f"{ctx.info_name} {name}"
        return name, cmd, rest

    def invoke(self, ctx):
        try:
            result = super().invoke(ctx)
        except click.exceptions.Exit as exc:
            _close_run(ctx, None if exc.exit_code == 0 else exc)
            raise
        except BaseException as exc:
            _close_run(ctx, exc)
            raise
        _close_run(ctx, None)
        return result


def _close_run(ctx, exc: BaseException | None) -> None:
    stack = ctx.meta.pop(_RUN, None)
    if stack is None:
        return
    if isinstance(exc, click.exceptions.Exit):
        from loaders.core.runlog import current_run, note_failure

        run = current_run()
        if run is not None and run.message is None:  # domain_errors gave none
            note_failure(f"exit status {exc.exit_code}")
    stack.__exit__(type(exc) if exc else None, exc, exc.__traceback__ if exc else None)
