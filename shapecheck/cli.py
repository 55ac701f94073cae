"""The ``shapecheck`` command line (click).

``shapecheck [OPTIONS] PATH...`` runs the ``check`` command: the first argument
that is not a subcommand name (``check``, ``summary``, ``rules``, ``explain``) is a path.
Rule selection and exclusions come from ``[tool.shapecheck]`` (``shapecheck.config``),
with the command line's options on top.
Exit status: 0 clean, 1 diagnostics at or above ``--fail-on``, 2 usage error or
a file that could not be checked. Nothing here imports TensorFlow, Keras or NumPy.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import os
import sys

import click

from shapecheck import picture, report
from shapecheck.cache import Cache
from shapecheck.config import ConfigError, Configurations, apply, selectors
from shapecheck.exclusion import Exclusions
from shapecheck.files import check_paths, check_text
from shapecheck.results import FileReport

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
EXIT_CLEAN, EXIT_DIAGNOSTICS, EXIT_FAILURE = 0, 1, 2


class BadConfiguration(click.ClickException):
    """A configuration that cannot be used: exit status 2, the reason on stderr."""

    exit_code = EXIT_FAILURE


class DefaultCommandGroup(click.Group):
    """A group that runs ``check`` when the first argument names no subcommand; a first
    argument that is no file and looks like a mistyped subcommand is a usage error."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        group_options = {"--help", "--version"}
        # Options before a subcommand (``shapecheck --format json summary f.py``) are its own.
        named = next((i for i, arg in enumerate(args) if arg in self.commands), None)
        if named and args[0].startswith("-") and not os.path.exists(args[named]) \
                and not set(args[:named]) & group_options:
            args = [args[named], *args[:named], *args[named + 1:]]
        if args and args[0] not in self.commands and args[0] not in group_options \
                and not os.path.exists(args[0]):
            close = difflib.get_close_matches(args[0], list(self.commands), n=1, cutoff=0.75)
            if close:
                raise click.UsageError(f"no such command or file {args[0]!r}; did you mean "
                                       f"`shapecheck {close[0]}`?", ctx)
        if not args or (args[0] not in self.commands and args[0] not in group_options):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultCommandGroup)
@click.version_option(package_name="keras-shapecheck", prog_name="shapecheck")
def main() -> None:
    """Static shape checker for Keras code.

    \b
    shapecheck [OPTIONS] [PATH]...   check files and folders (same as `check`)
    shapecheck summary PATH...       print a model.summary()-like table per model
    shapecheck rules                 list the rules
    shapecheck explain CODE          what a rule flags, why, and what to write instead
    shapecheck lsp                   the language server (stdio), for editors

    Options of check (see `shapecheck check --help`): --select, --ignore, --format,
    --fail-on, --config, and --verify, which RUNS each file under TensorFlow to confirm the
    results: use it only on code you trust. [tool.shapecheck] in pyproject.toml configures
    the same (see the README).
    """


def _codes(ctx, param, values) -> tuple | None:
    """A rule-selection option (repeatable, comma-separated) as checked selectors."""
    if not values:
        return None
    try:
        return selectors([v for value in values for v in value.split(",")],
                         f"--{param.name.replace('_', '-')}")
    except ConfigError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[1]) from exc


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(), metavar="[PATH]...")
@click.option("--select", multiple=True, callback=_codes, metavar="CODES",
              help="Report only these rules (codes or prefixes, comma-separated: SHP1,SHP201).")
@click.option("--extend-select", multiple=True, callback=_codes, metavar="CODES",
              help="Report these rules too.")
@click.option("--ignore", multiple=True, callback=_codes, metavar="CODES",
              help="Do not report these rules.")
@click.option("--report-unused-noqa", is_flag=True,
              help="Report `# noqa: SHP...` codes that suppress nothing (rule SHP001).")
@click.option("--baseline", type=click.Path(dir_okay=False), metavar="FILE",
              help="Do not report the findings recorded in FILE (see --write-baseline).")
@click.option("--write-baseline", is_flag=True,
              help="Record every finding in the --baseline FILE, and exit 0.")
@click.option("--fix", is_flag=True, help="Apply the fixes of the findings that have one to the files.")
@click.option("--diff", is_flag=True,
              help="Print the fixes as a unified diff instead of applying them (exit 1 if any).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Check files in N processes [default: the number of cores].")
@click.option("--no-cache", is_flag=True,
              help="Neither read nor write the cache of results (.shapecheck_cache).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              help="Read [tool.shapecheck] from this file instead of the nearest pyproject.toml.")
@click.option("--format", "output_format", type=click.Choice(sorted(report.REPORTERS)),
              default="text", show_default=True, help="Output format.")
@click.option("--fail-on", type=click.Choice(list(SEVERITY_RANK)), default=None,
              help="Lowest severity that makes the exit status 1 [default: warning].")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the findings (text format).")
@click.option("--statistics", is_flag=True, help="Also print how many findings each rule made.")
@click.option("--show-source/--no-show-source", default=None,
              help="Show each finding's line and a caret under it (text format) "
                   "[default: on a terminal].")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of the standard output.")
@click.option("--stdin-filename", metavar="PATH",
              help="With PATH '-': the name (and so the configuration) of the code read from stdin.")
@click.option("--verify", is_flag=True,
              help="Also RUN each file under TensorFlow (needs the 'verify' extra) and compare: "
                   "this executes the checked code, so use it only on code you trust.")
@click.option("--verify-timeout", type=click.FloatRange(min=1), default=120, show_default=True,
              metavar="SECONDS", help="Time limit for each file under --verify.")
def check(paths: tuple[str, ...], select, extend_select, ignore, report_unused_noqa, baseline,
          write_baseline, fix, diff, jobs, no_cache, config_file, output_format: str,
          fail_on, exit_zero: bool, quiet: bool, statistics: bool, show_source, output_file,
          stdin_filename, verify: bool, verify_timeout: float) -> None:
    """Check files and folders (every *.py and *.ipynb inside); default: the current folder.
    PATH '-' reads one file's code from stdin."""
    if write_baseline and not baseline:
        raise click.UsageError("--write-baseline needs --baseline FILE: the file to write")
    if report_unused_noqa:
        extend_select = (*(extend_select or ()), "SHP001")
    try:
        stdin = None
        configurations = Configurations(config_file, select=select, extend_select=extend_select,
                                        ignore=ignore, fail_on=fail_on)
        if paths == ("-",):
            stdin = sys.stdin.read()
            reports = [check_text(stdin, stdin_filename or "-")]
        else:
            cache = None if no_cache or os.environ.get("SHAPECHECK_NO_CACHE") else Cache()
            reports = check_paths(paths or (".",), Exclusions(configurations).skipped,
                                  jobs=jobs or os.cpu_count() or 1, cache=cache, progress=_progress())
        reports = [apply(r, configurations.for_path(r.path)) for r in reports]
    except ConfigError as exc:
        raise BadConfiguration(str(exc)) from exc
    if not reports:
        click.echo(f"warning: no Python files or notebooks found under {', '.join(paths or ('.',))}",
                   err=True)
    if baseline:
        reports = _with_baseline(reports, baseline, write_baseline, quiet)
    if diff:
        _print_diff(reports, stdin)
    if fix:
        reports = _apply_fixes(reports, stdin, configurations, quiet)
    if verify:
        if importlib.util.find_spec("tensorflow") is None:
            raise BadConfiguration("--verify runs the code under TensorFlow, which is not installed "
                                   "here: pip install 'keras-shapecheck[verify]'")
        from shapecheck.verify import verify_reports

        verify_reports(reports, verify_timeout)
    terminal = output_file is None and sys.stdout.isatty()
    color = output_file is None and output_format == "text" and _color(terminal)
    if output_format == "text":
        text = report.render_text(reports, show_source=terminal if show_source is None else show_source,
                                  color=color)
    else:
        text = report.REPORTERS[output_format](reports)
    if quiet and output_format == "text":
        text = "\n".join(text.splitlines()[:-1])
    if statistics:
        text = "\n".join(part for part in (text, report.render_statistics(reports)) if part)
    if output_file:
        with open(output_file, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    elif text:
        click.echo(text, color=color)
    level = fail_on or configurations.for_path(".").fail_on or "warning"
    raise SystemExit(EXIT_CLEAN if exit_zero and not any(r.error for r in reports)
                     else exit_status(reports, level))


def _with_baseline(reports: list[FileReport], file: str, write: bool, quiet: bool) -> list[FileReport]:
    """``--write-baseline``: record the findings and exit 0; else drop those recorded."""
    from shapecheck.baseline import BaselineError, without_baseline
    from shapecheck.baseline import write as write_file

    try:
        if write:
            count = write_file(file, reports)
            click.echo(f"Recorded {count} finding{'' if count == 1 else 's'} in {file}.", err=True)
            raise SystemExit(EXIT_FAILURE if any(r.error for r in reports) else EXIT_CLEAN)
        reports, dropped = without_baseline(reports, file)
    except BaselineError as exc:
        raise BadConfiguration(str(exc)) from exc
    if dropped and not quiet:
        click.echo(f"{dropped} finding{'' if dropped == 1 else 's'} of the baseline {file} "
                   f"not shown.", err=True)
    return reports


def _print_diff(reports: list[FileReport], stdin: str | None) -> None:
    """``--diff``: the fixes as a unified diff; exit 1 when there is one, else 0."""
    from shapecheck.fixes import diff_text, fix_text, fixes_of

    changed = 0
    for r in reports:
        if fixes_of(r):
            before = _source_of(r, stdin)
            after, count = fix_text(r, before)
            click.echo(diff_text(r, before, after), nl=False)
            changed += count
    click.echo(f"Would fix {changed} finding{'' if changed == 1 else 's'}.", err=True)
    raise SystemExit(EXIT_DIAGNOSTICS if changed else EXIT_CLEAN)


def _apply_fixes(reports: list[FileReport], stdin: str | None, configurations,
                 quiet: bool) -> list[FileReport]:
    """``--fix``: write the fixes to the files and check them again; code read from stdin
    is printed fixed instead (and nothing else)."""
    from shapecheck.files import check_path
    from shapecheck.fixes import apply_fixes, fix_text, fixes_of, write_source

    if stdin is not None:
        click.echo(apply_fixes(stdin, fixes_of(reports[0]))[0], nl=False)
        raise SystemExit(EXIT_CLEAN)
    fixed, result = 0, []
    for r in reports:
        if fixes_of(r):
            after, count = fix_text(r, _source_of(r, stdin))
            write_source(r.path, after)
            fixed += count
            r = apply(check_path(r.path), configurations.for_path(r.path))
        result.append(r)
    if not quiet:
        click.echo(f"Fixed {fixed} finding{'' if fixed == 1 else 's'}.", err=True)
    return result


def _source_of(report: FileReport, stdin: str | None) -> str:
    from shapecheck.files import read_source

    return stdin if stdin is not None else read_source(report.path)


def _progress():
    """On a terminal, a line on stderr counting the files checked, once the run has taken
    a second (cleared at the end); elsewhere nothing."""
    if not sys.stderr.isatty():
        return None
    import time

    start = time.monotonic()

    def show(done: int, total: int) -> None:
        if time.monotonic() - start > 1:
            end = "\r\033[K" if done == total else ""
            click.echo(f"\rchecked {done}/{total} files{end}", nl=False, err=True)
    return show


def _color(terminal: bool) -> bool:
    """Colours on a terminal; ``FORCE_COLOR`` forces them, ``NO_COLOR`` turns them off
    (each when set and not empty: no-color.org, force-color.org)."""
    if os.environ.get("FORCE_COLOR"):
        return True
    return terminal and not os.environ.get("NO_COLOR")


def exit_status(reports: list[FileReport], fail_on: str) -> int:
    """2 if a file could not be checked, else 1 if a diagnostic reaches ``fail_on``, else 0."""
    if any(r.error is not None for r in reports):
        return EXIT_FAILURE
    threshold = SEVERITY_RANK[fail_on]
    if any(SEVERITY_RANK[d.severity] >= threshold for r in reports for d in r.diagnostics):
        return EXIT_DIAGNOSTICS
    return EXIT_CLEAN


_SUMMARIES = {"text": report.render_summary, "mermaid": picture.render_mermaid, "svg": picture.render_svg}


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="PATH...")
@click.option("--format", "output_format", type=click.Choice(list(_SUMMARIES)), default="text",
              show_default=True, help="a table per model, a Mermaid flowchart (Markdown) or an SVG picture")
def summary(paths: tuple[str, ...], output_format: str) -> None:
    """Print a model.summary()-like table (or a picture) for every model in the files."""
    reports = check_paths(paths)
    click.echo(_SUMMARIES[output_format](reports))
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


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """What the rule CODE flags, why it is a bug, what to write instead, and examples."""
    from shapecheck.rules import ALL_RULES

    found = [rule for rule in ALL_RULES if rule.code == code.strip().upper()]
    if not found:
        raise click.BadParameter(f"no rule {code!r} (`shapecheck rules` lists them)",
                                 param_hint="CODE")
    rule = found[0]
    parts = [f"{rule.code} {rule.name} [{rule.severity}]", inspect.getdoc(rule) or ""]
    if rule.INVALID:
        parts.append("Flagged:\n\n" + _indented(rule.INVALID[0]))
    if rule.VALID:
        parts.append("Not flagged:\n\n" + _indented(rule.VALID[0]))
    click.echo("\n\n".join(parts))


def _indented(source: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in source.rstrip().splitlines())


@main.command()
def lsp() -> None:
    """Run the language server on stdin / stdout (diagnostics, hover, inlay hints)."""
    try:
        from shapecheck.lsp import serve
    except ModuleNotFoundError as exc:
        if exc.name not in ("pygls", "lsprotocol"):
            raise
        raise BadConfiguration("shapecheck lsp needs pygls: pip install 'keras-shapecheck[lsp]'") from exc
    serve()
