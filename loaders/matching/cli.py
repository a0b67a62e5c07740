"""CLI verbs of the matching domain (`match review`, `match estimate`),
registered on the main app by cli.py. `load match_decisions` is dispatched by
cli.py's `load` to loaders.matching.decisions.

Keep this module cheap to import: typer only at the top, everything else
inside the command functions (`python cli.py --help` must stay fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loaders.core.cli_common import RunLoggedGroup, domain_errors, open_from_cli

ByOpt = Annotated[str | None, typer.Option("--by", help="Who decides (default: the OS user).")]


def _purge_after_run(ctx, dbt_ok: bool | None) -> list[str]:
    """The end of `run`: purge what the build just listed as purgeable (not
    after a failed or skipped build: the outcomes may be stale)."""
    if not dbt_ok:
        return []
    from loaders.core.runlog import current_run, note
    from loaders.matching.purge import built, purge

    if not built(ctx.conn):  # a run whose build leaves matching out
        return []
    run = current_run()
    done = purge(ctx.conn, run.run_id if run else None, by="run")
    if done.purge_id is None:
        return []
    note(purged=done.records)
    return [purge_line(done)]


def purge_line(done) -> str:
    return (f"purged {done.records} incoming record(s) never matched nor decided, older "
            f"than {done.retention_days} days (ops.match_purges {done.purge_id}; the file "
            "archive keeps them)")


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    """Adds the `match` group of commands to `app`; `run` ends with a purge."""
    from loaders.core.dbt import after_run

    after_run(_purge_after_run)
    match_app = typer.Typer(help="People decide what the person matching cannot.",
                            no_args_is_help=True, cls=RunLoggedGroup)
    app.add_typer(match_app, name="match")

    def outbound(name: str, mart: str, what: str) -> None:
        """An export verb writing one matching mart as CSV for the student system."""

        @export_app.command(name, help=f"Write {what} as CSV for the student system "
                                       f"(marts.{mart}; docs/matching.md).")
        @domain_errors
        def export_mart(
            cli_ctx: typer.Context,
            out: Annotated[Path, typer.Option(help="CSV file to write.")] = Path(f"{mart}.csv"),
        ) -> None:
            from loaders.outbound.csv_files import export_table

            n = export_table(open_from_cli(cli_ctx), "marts", mart, out)
            typer.echo(f"{out}: {n} rows")

    outbound("new-vendor-ids", "mart_new_vendor_ids",
             "the vendor ids learned from matched records")
    outbound("person-updates", "mart_person_contact_updates",
             "the newer contact details of matched persons (old and new values)")
    outbound("new-persons", "mart_new_person_proposals", "the proposed new persons")

    @match_app.command("review")
    @domain_errors
    def match_review(
        cli_ctx: typer.Context,
        by: ByOpt = None,
        record: Annotated[str | None, typer.Option(
            "--record", help="For scripts: the record decided ('<file_id>:<line_number>').")]
        = None,
        decision: Annotated[str | None, typer.Option(
            "--decision", help="For scripts: same_person, new_person or persons_same "
            "(no prompt).")] = None,
        person: Annotated[str | None, typer.Option(
            "--person", help="For scripts: the person the record is (same_person), or one "
            "of the two (persons_same).")] = None,
        other_person: Annotated[str | None, typer.Option(
            "--other-person", help="For scripts: the other person of persons_same.")] = None,
        reason: Annotated[str | None, typer.Option("--reason", help="Why (optional).")] = None,
    ) -> None:
        """Go through the match review queue, oldest case first, and decide each.

        Shows the record and its candidates side by side (fields marked agree or
        disagree), then asks: a candidate's number = same person, n = new
        person, s = skip, q = quit; then an optional reason. Each decision is
        recorded in ops.match_decisions (source review); the next `build`
        applies it. With --decision it records one decision without asking.
        """
        from loaders.core.runlog import note
        from loaders.matching.decisions import MatchDecisionError, record_one
        from loaders.matching.decisions import decision as make_decision

        ctx = open_from_cli(cli_ctx)
        if decision is not None:
            recorded = record_one(ctx.conn, make_decision(decision, record, person,
                                                          other_person, reason, by))
            note(decided=1)
            typer.echo(f"recorded: {recorded.describe()} (by {recorded.decided_by}); the "
                       "next `build` applies it")
            return
        if record or person or other_person or reason:
            raise MatchDecisionError("--record, --person, --other-person and --reason go with "
                                     "--decision (scripts); without it the review asks")
        from loaders.matching.review import review

        def ask(text: str, default: str) -> str | None:
            try:
                return typer.prompt(text, default=default, show_default=False)
            except typer.Abort:  # end of input or Ctrl-C
                typer.echo("")
                return None

        summary = review(ctx.conn, by, ask=ask, say=typer.echo)
        note(decided=len(summary.decided), skipped=len(summary.skipped))
        if not summary.decided and not summary.skipped and not summary.quit:
            typer.echo("No case waits for review.")
            return
        typer.echo(f"{len(summary.decided)} decided, {len(summary.skipped)} skipped, "
                   f"{summary.left} still waiting"
                   + ("; the next `build` applies the decisions" if summary.decided else ""))

    @match_app.command("purge")
    @domain_errors
    def match_purge(
        cli_ctx: typer.Context,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would go.")]
        = False,
        by: ByOpt = None,
    ) -> None:
        """Purge incoming records never matched nor decided, older than the retention period.

        The records are intermediate.int_matching__purgeable (dbt var
        matching_purge_after_days, 180 by default), as of the last `build`.
        Each purge is a row in ops.match_purges and its records rows in
        ops.match_purged_records; the next `build` leaves them out of every
        matching mart. The file archive and raw tables are never touched
        (docs/matching.md: rebuilding a purged record). `run` does this at its end.
        """
        from loaders.core.runlog import note
        from loaders.matching.purge import purge

        done = purge(open_from_cli(cli_ctx).conn, by=by, dry_run=dry_run)
        if dry_run:
            typer.echo(f"{done.records} record(s) would be purged")
            return
        if done.purge_id is None:
            typer.echo("Nothing to purge")
            return
        note(purged=done.records)
        typer.echo(purge_line(done))

    @match_app.command("estimate")
    @domain_errors
    def match_estimate(
        cli_ctx: typer.Context,
        yes: Annotated[bool, typer.Option("--yes", help="Save without asking.")] = False,
        by: ByOpt = None,
    ) -> None:
        """Estimate the match weights from the decided pairs and, once agreed, save them.

        Builds int_matching__weight_estimates, shows the weights in use and the
        new ones side by side, and asks "Save these weights?" (--yes saves).
        A comparison with fewer than 50 labelled same-person pairs keeps the
        weights it has. The next `build` uses the newest saved estimate.
        """
        from loaders.core.runlog import note
        from loaders.matching.decisions import default_person
        from loaders.matching.estimate import estimate

        for_whom = by or default_person()

        def confirm(made) -> bool:
            for comparison, why in made.held_back.items():
                typer.echo(f"{comparison}: not saved, {why}")
            return yes or typer.confirm("Save these weights?", default=False)

        made, saved = estimate(open_from_cli(cli_ctx), for_whom, confirm)
        if saved.estimate_id is None:
            if not made.saved_levels:
                for comparison, why in made.held_back.items():
                    typer.echo(f"{comparison}: not saved, {why}")
                typer.echo("No comparison has enough labelled pairs: nothing saved")
            else:
                typer.echo("Not saved")
            return
        note(estimate_id=saved.estimate_id, levels=saved.levels, carried=saved.carried)
        carried = (f" ({saved.carried} level(s) of the comparisons held back carried from "
                   "the estimate before)" if saved.carried else "")
        typer.echo(f"saved estimate {saved.estimate_id} by {for_whom}: {saved.levels} level(s) "
                   f"of {', '.join(saved.comparisons)}{carried}; the next `build` uses them")
