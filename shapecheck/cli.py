"""The ``shapecheck`` command line (click).

``shapecheck [OPTIONS] PATH...`` runs the ``check`` command: the first argument
that is not a subcommand name (``check``, ``summary``, ``rules``) is a path.
Exit status: 0 clean, 1 diagnostics at or above ``--fail-on``, 2 usage error or
a file that could not be checked. Nothing here imports TensorFlow, Keras or NumPy.
"""

from __future__ import annotations

import importlib
from importlib import metadata

import click

from shapecheck import report
from shapecheck.files import check_paths
from shapecheck.results import FileReport

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
EXIT_CLEAN, EXIT_DIAGNOSTICS, EXIT_FAILURE = 0, 1, 2


def _version() -> str:
    try:
        return metadata.version("keras-shapecheck")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class DefaultCommandGroup(click.Group):
    """A group that runs ``check`` when the first argument names no subcommand."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        group_options = {"--help", "--version"}
        if not args or (args[0] not in self.commands and args[0] not in group_options):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultCommandGroup)
@click.version_option(_version(), prog_name="shapecheck")
def main() -> None:
    """Static shape checker for Keras code.

    \b
    shapecheck [OPTIONS] [PATH]...   check files and folders (same as `check`)
    shapecheck summary PATH...       print a model.summary()-like table per model
    shapecheck rules                 list the rules

    Options of check (see `shapecheck check --help`): --format, --fail-on, and
    --verify, which RUNS each file under TensorFlow to confirm the results: use it
    only on code you trust.
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(), metavar="[PATH]...")
@click.option("--format", "output_format", type=click.Choice(sorted(report.REPORTERS)),
              default="text", show_default=True, help="Output format.")
@click.option("--fail-on", type=click.Choice(list(SEVERITY_RANK)), default="warning",
              show_default=True, help="Lowest diagnostic severity that makes the exit status 1.")
@click.option("--verify", is_flag=True,
              help="Also RUN each file under TensorFlow (needs the 'verify' extra) and compare: "
                   "this executes the checked code, so use it only on code you trust.")
@click.option("--verify-timeout", type=click.FloatRange(min=1), default=120, show_default=True,
              metavar="SECONDS", help="Time limit for each file under --verify.")
def check(paths: tuple[str, ...], output_format: str, fail_on: str, verify: bool,
          verify_timeout: float) -> None:
    """Check files and folders (every *.py and *.ipynb inside); default: the current folder."""
    reports = check_paths(paths or (".",))
    if verify:
        from shapecheck.verify import verify_reports

        verify_reports(reports, verify_timeout)
    click.echo(report.REPORTERS[output_format](reports))
    raise SystemExit(exit_status(reports, fail_on))


def exit_status(reports: list[FileReport], fail_on: str) -> int:
    """2 if a file could not be checked, else 1 if a diagnostic reaches ``fail_on``, else 0."""
    if any(r.error is not None for r in reports):
        return EXIT_FAILURE
    threshold = SEVERITY_RANK[fail_on]
    if any(SEVERITY_RANK[d.severity] >= threshold for r in reports for d in r.diagnostics):
        return EXIT_DIAGNOSTICS
    return EXIT_CLEAN


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="PATH...")
def summary(paths: tuple[str, ...]) -> None:
    """Print a model.summary()-like table for every model in the files."""
    reports = check_paths(paths)
    click.echo(report.render_summary(reports))
    raise SystemExit(EXIT_FAILURE if any(r.error is not None for r in reports) else EXIT_CLEAN)


@main.command()
def rules() -> None:
    """List the rules: code, name, severity and summary."""
    try:
        registry = importlib.import_module("shapecheck.rules")
    except ModuleNotFoundError as exc:
        if exc.name != "shapecheck.rules":
            raise
        click.echo(report.render_rules([]))
        return
    click.echo(report.render_rules(registry.ALL_RULES))
