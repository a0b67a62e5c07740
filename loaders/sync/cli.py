"""CLI verbs of the two-way sync (`export sync --to a|b`), registered on the main
app by cli.py.

Keep this module cheap to import: typer only at the top, everything else
inside the command functions (`python cli.py --help` must stay fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loaders.core.cli_common import (
    OutOpt,
    RemoteFolderOpt,
    UploadOpt,
    domain_errors,
    echo_written,
    open_from_cli,
)


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    """Adds `export sync`."""

    @export_app.command("sync")
    @domain_errors
    def export_sync(
        cli_ctx: typer.Context,
        to: Annotated[str, typer.Option("--to", help="a: the management system; b: the "
                                        "assessment platform.")],
        upload: UploadOpt = None,
        remote_folder: RemoteFolderOpt = None,
        out: OutOpt = Path("exports"),
    ) -> None:
        """Write the two-way sync's change file for one side (SYNC_TO_<A|B>_<day>_<id>.csv).

        Every push (to b) or pull (to a) the settings imply, and for b the
        records to create, not sent before with the same value
        (marts.outbound_sync_to_<side>; docs/sync.md). Recorded in
        ops.sync_export_files: run again with nothing changed, it writes nothing.
        """
        from loaders.core.runlog import note
        from loaders.sync.exports import export_sync as write

        written = write(open_from_cli(cli_ctx), to.lower(), out=out, upload=upload,
                        remote_folder=remote_folder)
        if written.path is None:
            typer.echo(f"0 new changes for side {to.lower()}: nothing written")
            return
        note(changes=written.rows)
        echo_written(written, "change(s)")
