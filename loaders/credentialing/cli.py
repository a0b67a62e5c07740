"""CLI verbs of the credentialing domain, registered on the main app by cli.py.

Keep this module cheap to import: typer only at the top, everything else
inside the command functions (`python cli.py --help` must stay fast).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from loaders.core.cli_common import OutOpt, RemoteFolderOpt, UploadOpt, domain_errors, open_from_cli


def _report(written, what: str) -> None:
    if written.path is None:
        typer.echo(f"no {what} to export: nothing written")
    else:
        typer.echo(f"{written.path}: {written.rows} {what}")


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    """Adds this domain's commands to `app` and `export_app`."""

    @export_app.command("eligibility")
    @domain_errors
    def export_eligibility(
        cli_ctx: typer.Context,
        date_from: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"],
                                                    help="First submission date (YYYY-MM-DD).")],
        date_to: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"],
                                                  help="Last submission date (YYYY-MM-DD).")],
        exam: Annotated[str | None, typer.Option("--exam", help="Only this exam code.")] = None,
        only_new: Annotated[bool, typer.Option("--only-new", help="Leave out applications "
                                               "sent in an earlier transmission.")] = False,
        yes: Annotated[bool, typer.Option("--yes", help="Do not ask (scheduled runs).")]
        = False,
        expect: Annotated[int | None, typer.Option("--expect", help="Fail unless exactly N "
                                                   "applications are selected.")] = None,
        upload: UploadOpt = None,
        remote_folder: RemoteFolderOpt = None,
        out: OutOpt = Path("exports"),
    ) -> None:
        """Write the eligibility file of every Pending application submitted in a range.

        The number of records (how many were sent before, and in which
        transmission; how many Pending ones are left out for a data reason) is
        shown and confirmed before anything is written; the transmission (file,
        SHA-256, count, range, applications) is recorded.
        """
        from loaders.credentialing.exports import export_eligibility as run_export

        def show(count) -> None:
            typer.echo(f"{count.selected} application(s) submitted {date_from:%Y-%m-%d} to "
                       f"{date_to:%Y-%m-%d}" + (f" for {exam}" if exam else "")
                       + (" not sent before" if only_new else ""))
            sent = sum(count.already_sent.values())
            if sent:
                where = ", ".join(f"{n} in transmission {t}" if t is not None
                                  else f"{n} in a transmission no longer recorded"
                                  for t, n in count.already_sent.items())
                typer.echo(f"{sent} already sent, last {where}: "
                           + ("left out by --only-new" if only_new
                              else "sent again unless --only-new"))
            if count.left_out:
                typer.echo(f"{count.left_out} Pending application(s) left out for a data reason: "
                           "see marts.mart_eligibility_left_out")

        def confirm(n: int) -> bool:
            return yes or typer.confirm("Write the eligibility file"
                                        + (f" and upload it to {upload}" if upload else "")
                                        + "?", default=False)

        written = run_export(open_from_cli(cli_ctx), date_from=date_from.date(), date_to=date_to.date(),
                             exam=exam, only_new=only_new, out=out, expect=expect,
                             upload=upload, remote_folder=remote_folder, show=show,
                             confirm=confirm)
        if written.path is None:
            typer.echo("0 applications selected: nothing written")
            return
        typer.echo(f"{written.path}: {written.rows} record(s), transmission "
                   f"{written.record_id}, sha256 {written.sha256}")
        if written.uploaded_to:
            typer.echo(f"uploaded to {written.uploaded_to}")

    @export_app.command("status-changes")
    @domain_errors
    def export_status_changes(cli_ctx: typer.Context, out: OutOpt = Path("exports")) -> None:
        """Write the application status changes made since the last export, and record them."""
        from loaders.credentialing.exports import export_status_changes as run_export

        _report(run_export(open_from_cli(cli_ctx), out=out), "status change(s)")

    @export_app.command("print")
    @domain_errors
    def export_print(
        cli_ctx: typer.Context,
        kind: Annotated[str, typer.Option("--kind", help="certificate or id-card.")],
        out: OutOpt = Path("exports"),
    ) -> None:
        """Write the print-house file of certificates or ID cards not printed yet."""
        from loaders.credentialing.exports import export_print as run_export

        _report(run_export(open_from_cli(cli_ctx), kind=kind, out=out), f"{kind}(s)")
