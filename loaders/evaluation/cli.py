"""CLI verbs of the evaluation domain (`export date-changes`, `export scores`), registered on the
main app by cli.py, which also has `run` email the date changes (after_run).

Keep this module cheap to import: typer only at the top, everything else
inside the command functions (`python cli.py --help` must stay fast).
"""

from __future__ import annotations

from pathlib import Path

import typer

from loaders.core.cli_common import (
    OutOpt,
    RemoteFolderOpt,
    UploadOpt,
    domain_errors,
    echo_written,
    open_from_cli,
)
from loaders.core.dbt import after_run


def _after_run(ctx, dbt_ok: bool | None) -> list[str]:
    from loaders.evaluation.exports import after_run as write_and_email

    return write_and_email(ctx, dbt_ok)


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    """Adds `export date-changes` and `export scores`; `run` writes and emails the
    new date changes."""
    after_run(_after_run)

    @export_app.command("date-changes")
    @domain_errors
    def export_date_changes(
        cli_ctx: typer.Context,
        upload: UploadOpt = None,
        remote_folder: RemoteFolderOpt = None,
        out: OutOpt = Path("exports"),
    ) -> None:
        """Write the same-date test date changes not sent before (DATE_CHANGES_<day>_<id>.csv).

        Where a person's ACT and SAT test dates are the same day, the ACT date
        becomes the 15th and the SAT date the 1st of its month
        (marts.mart_test_date_changes; docs/evaluation.md). Recorded in
        ops.date_change_files: a change is never written twice. `run` emails
        the files not emailed yet to date_changes_to.
        """
        from loaders.evaluation.exports import export_verb

        written = export_verb(open_from_cli(cli_ctx), out=out, upload=upload,
                              remote_folder=remote_folder)
        if written.path is None:
            typer.echo("0 new date changes: nothing written")
            return
        echo_written(written, "date change(s)")

    @export_app.command("scores")
    @domain_errors
    def export_scores(
        cli_ctx: typer.Context,
        upload: UploadOpt = None,
        remote_folder: RemoteFolderOpt = None,
        out: OutOpt = Path("exports"),
    ) -> None:
        """Write the evaluated scores the student system has not received (SCORES_<day>_<id>.csv).

        Every score of a matched person, new or changed since it was last sent
        (score, test date after the same-date fix, best mark, purpose marks,
        exemptions; marts.outbound_scores, docs/evaluation.md). Recorded in
        ops.score_export_files: a score is never sent twice as it is.
        """
        from loaders.core.runlog import note
        from loaders.evaluation.scores_out import export_scores as write

        written = write(open_from_cli(cli_ctx), out=out, upload=upload,
                        remote_folder=remote_folder)
        if written.path is None:
            typer.echo("0 new or changed scores: nothing written")
            return
        note(scores=written.rows)
        echo_written(written, "score(s)")
