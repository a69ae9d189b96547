"""The ``mlportfolio`` command line: a thin click layer over the library.

Exit codes: 0 success; 1 a user error (bad input, refused to overwrite); 2 a usage error
(unknown option, missing argument); 3 an external failure (git, network, GitHub); 4 an unsafe
template that needs ``--trust``; 70 an internal error (a bug); 130 interrupted with Ctrl-C.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import Interrupted, InvalidAnswerError, MlportfolioError

DEBUG_ENV = "MLPORTFOLIO_DEBUG"
INTERNAL_ERROR = 70  # EX_SOFTWARE from sysexits.h
log = logging.getLogger("mlportfolio")


@contextmanager
def handle_errors(debug: bool) -> Iterator[None]:
    """Turn every error mlportfolio raises on purpose into one line on stderr and an exit code."""
    try:
        yield
    except MlportfolioError as exc:
        if debug:
            raise
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        if debug:
            raise
        click.secho("interrupted", fg="red", err=True)
        sys.exit(Interrupted.exit_code)
    except Exception as exc:  # a bug: still one line, with the way to get the traceback
        if debug:
            raise
        click.secho(
            f"error: unexpected {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
            fg="red",
            err=True,
        )
        sys.exit(INTERNAL_ERROR)


def _debug_enabled(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool(root.params.get("debug")) or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def parse_data(pairs: Sequence[str]) -> dict[str, Any]:
    """Parse repeated ``--data KEY=VALUE`` options; values are YAML scalars (``10`` is a number)."""
    import yaml

    data: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidAnswerError(
                f"--data {pair!r}: expected KEY=VALUE, e.g. --data license=MIT"
            )
        try:
            value = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            value = raw
        data[key.strip()] = raw if isinstance(value, dict | list) or value is None else value
    return data


def run_command(func: Callable[..., None]) -> Callable[..., None]:
    """Wrap a command body in the shared error handler."""

    @click.pass_context
    def wrapper(ctx: click.Context, /, **kwargs: Any) -> None:
        with handle_errors(_debug_enabled(ctx)):
            func(**kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="mlportfolio")
@click.option("--debug", is_flag=True, help=f"Show tracebacks (also: {DEBUG_ENV}=1).")
@click.option("-v", "--verbose", is_flag=True, help="Log what is being done.")
def main(debug: bool, verbose: bool) -> None:
    """Scaffold machine-learning portfolio projects that train, test and publish out of the box.

    \b
    Examples:
      mlportfolio list
      mlportfolio new recommender
      mlportfolio new recommender my-recs --defaults --data author_name="Ada Lovelace"

    Exit codes: 0 ok, 1 user error, 2 usage error, 3 git/network failure,
    4 template needs --trust, 130 interrupted.
    """
    logging.basicConfig(
        level=logging.DEBUG if (verbose or debug) else logging.WARNING,
        format="%(message)s",
        stream=sys.stderr,
    )


@main.command("list")
@click.option("--verbose", "-v", "detailed", is_flag=True, help="Show every field of every type.")
@run_command
def list_types(detailed: bool) -> None:
    """List the project types you can create.

    \b
    Example:
      mlportfolio list
    """
    from rich.console import Console
    from rich.table import Table

    from .catalog import load_catalog

    catalog = load_catalog()
    console = Console(width=None if sys.stdout.isatty() else 120)
    if detailed:
        for project_type in catalog.values():
            _print_type(console, project_type)
        return
    table = Table(title="mlportfolio project types", show_lines=True)
    for column in ("type", "summary", "data (sample / full)", "models", "metrics"):
        table.add_column(column, overflow="fold")
    for t in catalog.values():
        table.add_row(
            t.name,
            t.summary,
            f"{t.sample_data} / {t.full_data}",
            f"{t.baseline} vs {t.model}",
            ", ".join(t.metrics),
        )
    console.print(table)


@main.command("show")
@click.argument("project_type", metavar="TYPE")
@run_command
def show_type(project_type: str) -> None:
    """Show one project type in detail.

    \b
    Example:
      mlportfolio show recommender
    """
    from rich.console import Console

    from .catalog import get_project_type

    _print_type(Console(width=None if sys.stdout.isatty() else 120), get_project_type(project_type))


def questions_for(project_type: str) -> dict[str, dict[str, Any]]:
    """The questions a project of ``project_type`` is asked, common ones first."""
    from .catalog import load_questions

    return {
        name: spec
        for name, spec in load_questions().items()
        if name != "project_type"
        and ("when" not in spec or f"'{project_type}'" in str(spec["when"]))
    }


def _print_type(console: Any, t: Any) -> None:
    console.print(f"[bold]{t.name}[/bold]: {t.title}")
    console.print(f"  {t.summary}")
    console.print(f"  sample data: {t.sample_data}")
    console.print(f"  full data:   {t.full_data}")
    console.print(f"  baseline:    {t.baseline}")
    console.print(f"  model:       {t.model}")
    console.print(f"  metrics:     {', '.join(t.metrics)}")
    console.print("  questions (answer with --data KEY=VALUE):")
    for name, spec in questions_for(t.name).items():
        choices = spec.get("choices") or ()
        values = choices.values() if isinstance(choices, dict) else choices
        allowed = f" [{', '.join(map(str, values))}]" if values else ""
        console.print(
            f"    {name}: {spec.get('help', '')}{allowed}",
            markup=False,
            highlight=False,
        )
    console.print(f"  create it:   mlportfolio new {t.name}\n")


@main.command("new")
@click.argument("project_type", metavar="TYPE")
@click.argument("destination", metavar="[DEST]", required=False, type=click.Path(path_type=Path))
@click.option("--name", help="Project name (DEST defaults to its slug in the current directory).")
@click.option(
    "--data",
    "-d",
    "data_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Answer a template question; repeatable (see `mlportfolio show TYPE`).",
)
@click.option("--defaults", is_flag=True, help="Use default answers; never prompt.")
@click.option(
    "--force", is_flag=True, help="Allow a non-empty DEST; files not in the project stay."
)
@click.option("--no-git", "no_git", is_flag=True, help="Do not create a git repository.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@run_command
def new(
    project_type: str,
    destination: Path | None,
    name: str | None,
    data_pairs: tuple[str, ...],
    defaults: bool,
    force: bool,
    no_git: bool,
    quiet: bool,
) -> None:
    """Create a project of TYPE in DEST, as a git repository with one commit.

    Prompts for the template's questions on a terminal; with --defaults, or when input is not
    a terminal, uses the defaults (your git user.name and user.email where set).

    \b
    Examples:
      mlportfolio new recommender
      mlportfolio new recommender ~/code/movie-recs --name "Movie Recs" --defaults
      mlportfolio new recommender --data license=Apache-2.0 --data top_k=20
    """
    from .create import NewProject, create_project

    data = parse_data(data_pairs)
    if name is not None:
        data["project_name"] = name
    created = create_project(
        NewProject(
            project_type=project_type,
            destination=destination,
            data=data,
            defaults=defaults,
            force=force,
            git=not no_git,
        )
    )
    if quiet:
        return
    where = (
        os.path.relpath(created.path) if created.path.is_relative_to(Path.cwd()) else created.path
    )
    click.secho(f"Created {created.answers['project_name']} in {where}", fg="green", bold=True)
    click.echo(
        "\nNext steps:\n"
        f"  cd {where}\n"
        "  python -m venv .venv && source .venv/bin/activate\n"
        "  make setup            # install the project and its dev tools\n"
        "  make train evaluate   # train and evaluate on the shipped sample\n"
        "  make test             # run the project's tests\n"
        "  make data             # download the full dataset, then DATA=full\n"
        "  mlportfolio publish   # create the GitHub repository and push"
    )
