"""scorebridge command line: exam and test-score data exchange with vendors.

Commands only parse options and call one plain function in ``loaders``;
heavy libraries (dbt, dlt, paramiko) are imported only by the verbs that
need them, so ``--help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from loaders.core.cli_common import RunLoggedGroup, domain_errors, open_from_cli

__version__ = "0.1.0"

app = typer.Typer(
    help="scorebridge: fetch, archive, land and model exam and test-score files.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # tracebacks must never print secrets
    add_completion=False,
)
db_app = typer.Typer(help="Manage the embedded PostgreSQL (used when "
                          "SCOREBRIDGE_DATABASE_URL is not set).", no_args_is_help=True)
export_app = typer.Typer(help="Write files for other systems from the marts.",
                         no_args_is_help=True, cls=RunLoggedGroup)
app.add_typer(db_app, name="db")
app.add_typer(export_app, name="export")

_state: dict = {"config": None, "quiet": False, "verbose": False}

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Config file "
                                                "(default: scorebridge.yml).")]
WaitOpt = Annotated[bool, typer.Option("--wait", help="Wait for a running job instead of "
                                       "exiting.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scorebridge {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    config: ConfigOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show dbt's own output too "
                                          "(it always goes to the log file).")] = False,
    version: Annotated[bool | None, typer.Option("--version", callback=_version, is_eager=True,
                                                 help="Show the version and exit.")] = None,
) -> None:
    """scorebridge: fetch, archive, land and model exam and test-score files."""
    _state["config"] = config
    _state["quiet"] = quiet
    _state["verbose"] = verbose


def _ctx(config: Path | None = None):
    from loaders.core.context import open_context

    return open_context(config or _state["config"], quiet=_state["quiet"],
                        verbose=_state["verbose"])


def _print_result(result) -> None:
    from loaders.runs.alerts import summary_text

    typer.echo(summary_text(result), nl=False)


def _print_business(result) -> None:
    """The business summary and where to look next (loaders.runs.business)."""
    if result.business is None:
        return
    from loaders.runs.business import summary_lines

    typer.echo("")
    for line in summary_lines(result.business):
        typer.echo(line)


def _exit_for(result) -> None:
    """A run that was not clean ends with one line on stderr and exit status 1."""
    if result.status == "ok":
        return
    files, sources = result.files_failed(), result.sources_failed()
    problems = [f"{n} {what}{'s' if n > 1 else ''} failed"
                for n, what in ((files, "file"), (sources, "source")) if n]
    if result.dbt_ok is False:
        problems.append("dbt build failed")
    # One line that counts; each failure was logged with its reason above.
    detail = ", ".join(problems) or "see the log"
    typer.echo(f"error: run {result.run_id} {result.status}: {detail}: see `python cli.py "
               "status`", err=True)
    raise typer.Exit(1)


@app.command()
@domain_errors
def fetch(
    sources: Annotated[list[str] | None, typer.Argument(help="Source names (default: all).")]
    = None,
    wait: WaitOpt = False,
) -> None:
    """Download, verify, archive, record and land vendor files; then remove them remotely."""
    from loaders.runs import jobs

    result = jobs.fetch(_ctx(), sources, wait=wait)
    _print_result(result)
    _exit_for(result)


@app.command()
@domain_errors
def load(
    format: Annotated[str, typer.Argument(help="Format name (see README, FORMATS).")],
    paths: Annotated[list[Path], typer.Argument(help="Local files to load.")],
    source: Annotated[str, typer.Option(help="Source name recorded in the manifest.")]
    = "local",
    wait: WaitOpt = False,
) -> None:
    """Archive, record and land local files of one format (same custody as fetch).

    `load problem_decisions FILE.csv` records decisions about problems instead
    (columns problem_id, note, handled_by[, chosen_result_id]; all or none), and
    `load match_decisions FILE.csv` decisions about person matches (columns
    record_id, decision, person_id[, other_person_id, reason, decided_by]; all
    or none; the next build applies them).
    """
    from loaders.core.formats import get_format
    from loaders.runs import jobs

    if format == "problem_decisions":
        from loaders.runs.problems import load_decisions

        ctx = _ctx()
        for path in paths:
            n = load_decisions(ctx.conn, path)
            typer.echo(f"{path.name}: {n} problem(s) marked handled")
        return
    if format == "match_decisions":
        from loaders.matching.decisions import load_decisions as load_match_decisions

        ctx = _ctx()
        for path in paths:
            n = load_match_decisions(ctx.conn, path)
            typer.echo(f"{path.name}: {n} match decision(s) recorded; the next `build` "
                       "applies them")
        return
    get_format(format)
    result = jobs.load(_ctx(), format, paths, source=source, wait=wait)
    _print_result(result)
    _exit_for(result)


@app.command()
@domain_errors
def build(select: Annotated[str | None, typer.Option(help="dbt selection.")] = None) -> None:
    """Run dbt build (seeds, models, tests) on the landed data."""
    from loaders.runs import jobs

    ctx = _ctx()
    if not jobs.build_verb(ctx, select):
        typer.echo(f"error: dbt build failed (the failing nodes are above; dbt's whole "
                   f"output is in {ctx.log_file})", err=True)
        raise typer.Exit(1)


@app.command()
@domain_errors
def run(
    wait: WaitOpt = False,
    skip_build: Annotated[bool, typer.Option(help="Fetch and land only.")] = False,
) -> None:
    """The scheduled job: fetch every source, land, dbt build, email the summary."""
    from loaders.runs import jobs

    result = jobs.run(_ctx(), wait=wait, skip_build=skip_build)
    _print_result(result)
    _print_business(result)
    _exit_for(result)


@app.command()
@domain_errors
def status() -> None:
    """Recent runs, the last file per source, quarantined files with reasons."""
    from loaders.runs import jobs
    from loaders.runs import status as st

    ctx = _ctx()
    st.render(st.gather(ctx.conn), jobs.overdue_sources(ctx))


@app.command()
@domain_errors
def handle(
    problem_id: Annotated[str, typer.Argument(help="The problem (marts.mart_problems.problem_id).")],
    note: Annotated[str, typer.Option("--note", help="What was done about it.")],
    by: Annotated[str | None, typer.Option("--by", help="Who handled it (default: the OS "
                                           "user).")] = None,
    result: Annotated[str | None, typer.Option("--result", help="For a conflicting_results "
                                               "anomaly: the result that stands.")] = None,
) -> None:
    """Mark an open problem handled, with a note; it stops repeating in the run email."""
    from loaders.runs.problems import handle as handle_problem

    decision = handle_problem(_ctx().conn, problem_id, note, by=by, result_id=result)
    typer.echo(f"{decision.problem_id}: handled by {decision.handled_by}")


@app.command()
@domain_errors
def review(
    host: Annotated[str, typer.Option("--host", help="Address to serve on. The default serves "
                                      "this machine only; another address serves a network "
                                      "(docs/review.md: put it behind your HTTPS proxy).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (0: any free one).")] = 8765,
    logins: Annotated[int, typer.Option("--logins", min=1, max=50, help="How many one-time "
                                        "sign-in links to print (one per reviewer).")] = 1,
    secure_cookie: Annotated[bool, typer.Option("--secure-cookie", help="Send the session "
                                                "cookie over HTTPS only (behind an HTTPS "
                                                "proxy).")] = False,
) -> None:
    """Serve the review pages: potential matches, anomalies, errors (docs/review.md).

    Prints one-time sign-in links; a decision on a page is recorded like a
    decisions file (ops.match_decisions, ops.problem_handling) and the next
    `build` applies it.
    """
    from loaders.matching.decisions import default_person
    from loaders.review.app import run

    run(_ctx(), host, port, logins, default_person(), secure_cookie, typer.echo)


@app.command()
@domain_errors
def report(
    out: Annotated[Path, typer.Option(help="Folder for the report files.")] = Path("reports"),
) -> None:
    """Write a self-contained HTML report with charts, and a CSV of every mart."""
    from loaders.reporting.report import write_report

    for path in write_report(_ctx(), out):
        typer.echo(str(path))


@app.command()
@domain_errors
def docs(
    out: Annotated[Path, typer.Option(help="HTML file to write (or a folder for its "
                                      "index.html).")] = Path("docs-site/index.html"),
) -> None:
    """Write the dbt docs site (overview, models, lineage) as one HTML file.

    The file opens from disk in any browser, no server needed: the manifest
    and catalog are inlined (dbt docs generate --static). Prints its path.
    """
    from loaders.reporting.docs_site import write_docs_site

    typer.echo(str(write_docs_site(_ctx(), out)))


@export_app.command("load-audit")
@domain_errors
def export_load_audit(
    cli_ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="CSV file to write.")] = Path("load_audit.csv"),
) -> None:
    """Write the load audit (one row per received file) as CSV."""
    from loaders.outbound.csv_files import export_table

    n = export_table(open_from_cli(cli_ctx), "marts", "mart_load_audit", out)
    typer.echo(f"{out}: {n} rows")


@app.command()
@domain_errors
def demo(
    records: Annotated[int, typer.Option(help="Records per generated file.")] = 200,
) -> None:
    """Generate vendor files into a local inbox and run the whole job on them."""
    from loaders.devtools.demo import run_demo

    ctx, result = run_demo(records=records, quiet=_state["quiet"], verbose=_state["verbose"])
    _print_result(result)
    if not _state["quiet"]:
        from loaders.runs import jobs
        from loaders.runs import status as st

        st.render(st.gather(ctx.conn, runs=5), jobs.overdue_sources(ctx))
    _print_business(result)
    _exit_for(result)


@app.command()
@domain_errors
def check() -> None:
    """Pre-flight, changes nothing: config, every source (host key, login, listing),
    SMTP and the database; lists what the next fetch would take. Exit 1 on any problem."""
    from loaders.core.ui import scrub
    from loaders.runs.check import check as run_check

    report = run_check(_state["config"])
    for line in report.lines:
        typer.echo(scrub(line))
    if report.problems:
        typer.echo(f"error: check found {len(report.problems)} problem(s)", err=True)
        raise typer.Exit(1)


@app.command("trust-host")
@domain_errors
def trust_host(
    source: Annotated[str, typer.Argument(help="An sftp source name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Record without asking.")] = False,
) -> None:
    """Show an SFTP server's host key and record it in the source's known_hosts file."""
    from loaders.core.config import ConfigError, load_config
    from loaders.custody.transports import fetch_host_key, key_fingerprint, record_host_key

    cfg = load_config(_state["config"])
    src = cfg.source(source)
    if src.transport != "sftp":
        raise ConfigError(f"sources[{source}].transport: trust-host is for sftp sources")
    port = src.port or 22
    key = fetch_host_key(src.host, port, timeout=src.timeout)
    typer.echo(f"{src.host}:{port} offers a {key.get_name()} key, fingerprint "
               f"{key_fingerprint(key)}")
    if not yes and not typer.confirm(f"Record it in {src.known_hosts}?", default=False):
        typer.echo("not recorded")
        raise typer.Exit(1)
    record_host_key(src.known_hosts, src.host, port, key)
    typer.echo(f"recorded in {src.known_hosts}")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
@domain_errors
def dbt(ctx: typer.Context) -> None:
    """Run any dbt command against the configured database (e.g. dbt parse, dbt docs).

    The configuration's settings for the models (the sync: section) go along as
    dbt vars, unless the command gives --vars itself.
    """
    from loaders.core.config import load_config
    from loaders.core.db import database_for_dbt
    from loaders.core.dbt import dbt as run_dbt

    args = list(ctx.args) or ["--help"]
    settings = {} if args[0].startswith("-") or "--vars" in args else (
        load_config(_state["config"]).sync.changed_dbt_vars())
    code = run_dbt(database_for_dbt(args), args, capture=False, vars=settings)
    raise typer.Exit(code)


@app.command()
@domain_errors
def generate(
    format: Annotated[str, typer.Argument(help="Format name.")],
    path: Annotated[Path, typer.Argument(help="File to write.")],
    records: Annotated[int, typer.Option(help="Number of records.")] = 100,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Write a realistic generated file of a format (for trials and benchmarks)."""
    from loaders.core.formats import get_format
    from loaders.devtools.generate import generate as gen

    get_format(format)
    gen(format, path, records, seed=seed)
    typer.echo(str(path))


@db_app.command("start")
@domain_errors
def db_start() -> None:
    """Start the embedded PostgreSQL (it keeps running until db stop)."""
    from loaders.core.db import database

    db = database(start=True)
    typer.echo(f"embedded PostgreSQL running: {db.url()}")


@db_app.command("stop")
@domain_errors
def db_stop() -> None:
    """Stop the embedded PostgreSQL."""
    from loaders.core.db import stop_embedded

    typer.echo("stopped" if stop_embedded() else "not running")


@db_app.command("url")
@domain_errors
def db_url() -> None:
    """Print the database URL in use (password hidden)."""
    from loaders.core.db import database

    typer.echo(database(start=True).url())


# Verbs of the domains live in their own modules (placement only records after builds).
from loaders.certification import cli as certification_cli  # noqa: E402
from loaders.credentialing import cli as credentialing_cli  # noqa: E402
from loaders.evaluation import cli as evaluation_cli  # noqa: E402
from loaders.matching import cli as matching_cli  # noqa: E402
from loaders.placement import cli as placement_cli  # noqa: E402
from loaders.requests import cli as requests_cli  # noqa: E402
from loaders.sync import cli as sync_cli  # noqa: E402

certification_cli.register(app, export_app)
credentialing_cli.register(app, export_app)
evaluation_cli.register(app, export_app)
matching_cli.register(app, export_app)
placement_cli.register(app, export_app)
requests_cli.register(app, export_app)
sync_cli.register(app, export_app)

if __name__ == "__main__":
    sys.exit(app())
