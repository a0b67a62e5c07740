"""CLI verbs of the admissions domain, registered on the main app by cli.py.

Keep this module cheap to import: typer only at the top, everything else
inside the command functions (`python cli.py --help` must stay fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loaders.core.cli_common import OutOpt, domain_errors, open_from_cli


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    """Adds this domain's commands to `app` and `export_app`."""

    @export_app.command("requests")
    @domain_errors
    def export_requests(
        cli_ctx: typer.Context,
        days: Annotated[int, typer.Option("--days", help="Ask again only when the last "
                                          "request is more than this many days old.")] = 3,
        yes: Annotated[bool, typer.Option("--yes", help="Do not ask (scheduled runs).")]
        = False,
        upload: Annotated[str | None, typer.Option("--upload", help="Send the request file to "
                                                   "this configured source.")] = None,
        remote_folder: Annotated[str | None, typer.Option(
            "--remote-folder", help="Folder on the server (default: the source's "
            "remote_folder).")] = None,
        out: OutOpt = Path("exports"),
    ) -> None:
        """Write the score-request file and the checklist update file for the student system.

        Everyone with a TSTS checklist item not received, for the current or a
        later entry term, never asked or last asked more than --days days ago.
        """
        from loaders.requests.exports import export_requests as run_export

        def confirm(n: int) -> bool:
            typer.echo(f"{n} score request(s) due (window {days} day(s))")
            return yes or typer.confirm("Write the request file"
                                        + (f" and upload it to {upload}" if upload else "")
                                        + "?", default=False)

        written, update = run_export(open_from_cli(cli_ctx), days=days, out=out, upload=upload,
                                     remote_folder=remote_folder, confirm=confirm)
        if written.path is None:
            typer.echo("0 score requests due: nothing written")
            return
        typer.echo(f"{written.path}: {written.rows} request(s), file {written.record_id}, "
                   f"sha256 {written.sha256}")
        typer.echo(f"{update}: checklist update for the student system")
        if written.uploaded_to:
            typer.echo(f"uploaded to {written.uploaded_to}")
