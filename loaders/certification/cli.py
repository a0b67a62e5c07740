"""CLI verbs of the certification migration (`migrate certifications`, `migrate status`,
`export certifications`), registered on the main app by cli.py.

Keep this module cheap to import: typer only at the top, everything else
inside the command functions (`python cli.py --help` must stay fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loaders.core.cli_common import RunLoggedGroup, domain_errors, open_from_cli


def _build(ctx):
    """The certification seeds and models, without data tests (they run with `build`)."""
    from loaders.certification.migrate import SELECT
    from loaders.core.dbt import dbt

    def build() -> bool:
        return dbt(ctx.db, ["build", "--select", SELECT, "--exclude-resource-type", "test",
                            "--exclude-resource-type", "unit_test"], quiet=ctx.quiet) == 0

    return build


def _echo_problems(rows: list[dict]) -> None:
    for p in rows:
        where = f"{p['file_name'] or p['source_format']}" + (
            f":{p['line_number']}" if p["line_number"] is not None else "")
        typer.echo(f"  {p['severity']} {p['problem_kind']} ({where}): {p['message']}", err=True)


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    """Adds the `migrate` group and `export certifications`."""
    migrate_app = typer.Typer(help="One-time migrations into a new system "
                                   "(docs/certification-migration.md).",
                              no_args_is_help=True, cls=RunLoggedGroup)
    app.add_typer(migrate_app, name="migrate")

    @migrate_app.command("certifications")
    @domain_errors
    def migrate_certifications(
        cli_ctx: typer.Context,
        check: Annotated[bool, typer.Option("--check", help="Build and list every error and "
                                            "the warnings' count; publish nothing.")] = False,
        batch_size: Annotated[int, typer.Option("--batch-size", min=100, help="Enrollments "
                                                "per committed batch.")] = 100_000,
    ) -> None:
        """Migrate the landed legacy certification extracts into the new model (schema certification).

        Errors stop it before anything is published. Killed, it resumes from
        its last committed batch when run again; with unchanged inputs it
        does nothing. SCOREBRIDGE_DATABASE_URL chooses the database: migrate a
        test database first.
        """
        from loaders.certification import migrate as m
        from loaders.core.runlog import note
        from loaders.core.ui import Progress

        ctx = open_from_cli(cli_ctx)
        if check:
            errors, warnings = m.check(ctx, _build(ctx))
            rows = m.problems(ctx.conn, "error")
            _echo_problems(rows)
            typer.echo(f"{errors} error(s), {warnings} warning(s) "
                       "(every problem: marts.mart_cert_migration_problems)")
            note(errors=errors, warnings=warnings)
            if errors:
                raise typer.Exit(1)
            return
        with Progress(not ctx.quiet, counting=True) as progress:
            task = {}

            def advance(done: int, total: int) -> None:
                if "t" not in task:
                    task["t"] = progress.start("publishing enrollments (batches)", total)
                    progress.advance(task["t"], done)
                else:
                    progress.advance(task["t"], 1)

            try:
                out = m.migrate(ctx, _build(ctx), batch_size=batch_size, progress=advance)
            except m.MigrationStopped as stopped:
                _echo_problems(stopped.listed)
                if stopped.errors > len(stopped.listed):
                    typer.echo(f"  ... and {stopped.errors - len(stopped.listed)} more",
                               err=True)
                raise
        note(migration_id=out.migration_id, **(out.rows or {}))
        if out.nothing_to_do:
            typer.echo(f"migration {out.migration_id} already published these inputs: "
                       "nothing to do")
            return
        rows = out.rows or {}
        typer.echo(f"migration {out.migration_id} published"
                   + (" (resumed)" if out.resumed else "") + ": "
                   + ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in rows.items())
                   + f"; {out.warnings} warning(s) (marts.mart_cert_migration_problems)")

    @migrate_app.command("status")
    @domain_errors
    def migrate_status(cli_ctx: typer.Context) -> None:
        """Where the certification migrations stand: phase, batches, rows, problems."""
        from loaders.certification.migrate import migrations

        rows = migrations(open_from_cli(cli_ctx).conn)
        if not rows:
            typer.echo("no certification migration yet")
            return
        for r in rows:
            batches = (f"{r['batches_done']}/{r['batches_total']} batches"
                       if r["batches_total"] is not None else "no batch yet")
            problems = ("" if r["errors"] is None
                        else f", {r['errors']} error(s), {r['warnings']} warning(s)")
            ended = f", finished {r['finished_at']:%Y-%m-%d %H:%M}" if r["finished_at"] else ""
            typer.echo(f"migration {r['migration_id']}: {r['phase']}, started "
                       f"{r['started_at']:%Y-%m-%d %H:%M} by {r['started_by']}, {batches}, "
                       f"{r['rows_published']} enrollment(s) published{problems}{ended}"
                       + (f" ({r['note']})" if r["note"] else ""))

    @export_app.command("certifications")
    @domain_errors
    def export_certifications(
        cli_ctx: typer.Context,
        out: Annotated[Path, typer.Option(help="Folder for the four import files.")]
        = Path("exports"),
    ) -> None:
        """Write the new model's import files (programs, components, requirements, enrollments).

        From the published migration (schema certification), one CSV each
        (layouts: docs/certification-migration.md), recorded in ops.cert_exports.
        """
        from loaders.certification.exports import export_certifications as write
        from loaders.core.runlog import note

        done = write(open_from_cli(cli_ctx), out)
        note(export_id=done.export_id, **{k: v for k, (_p, v) in done.files.items()})
        for _name, (path, rows) in done.files.items():
            typer.echo(f"{path}: {rows} rows")
        typer.echo(f"export {done.export_id} of migration {done.migration_id}")
