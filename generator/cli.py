"""The ``mlportfolio`` command line: a thin click layer over the library.

Exit codes: 0 success; 1 a user error (bad input, refused to overwrite); 2 a usage error
(unknown option, missing argument); 3 an external failure (git, network, GitHub); 4 an unsafe
template that needs ``--trust``; 5 ``update`` left conflicts to resolve; 70 an internal error (a bug); 130 interrupted with Ctrl-C.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import Interrupted, InvalidAnswerError, MlportfolioError, UserError

DEBUG_ENV = "MLPORTFOLIO_DEBUG"
INTERNAL_ERROR = 70  # EX_SOFTWARE from sysexits.h
log = logging.getLogger("mlportfolio")


@contextmanager
def handle_errors(debug: bool) -> Iterator[None]:
    """Turn every error mlportfolio raises on purpose into one line on stderr and an exit code."""
    try:
        yield
    except click.ClickException:
        raise  # a usage error found in the command body: click reports it (exit 2)
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


class _Main(click.Group):
    """The top-level group; it also accepts ``--debug`` after the subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        if "--debug" in args[1:end]:
            args = ["--debug", *[a for a in args[:end] if a != "--debug"], *args[end:]]
        return super().parse_args(ctx, args)


class _TypedCommand(click.Command):
    """A command taking TYPE: its help lists the project types."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from .catalog import load_catalog

        with formatter.section("Types (TYPE)"):
            formatter.write_dl([(t.name, t.summary) for t in load_catalog().values()])
        super().format_epilog(ctx, formatter)


@click.group(
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "-V", "--version", prog_name="mlportfolio")
@click.option(
    "--debug", is_flag=True, help=f"Show tracebacks; also after the command (or {DEBUG_ENV}=1)."
)
@click.option("-v", "--verbose", is_flag=True, help="Log what is being done.")
def main(debug: bool, verbose: bool) -> None:
    """Scaffold machine-learning portfolio projects that train, test and publish out of the box.

    \b
    Examples:
      mlportfolio list
      mlportfolio new recommender
      mlportfolio new recommender my-recs --defaults --data author_name="Ada Lovelace"

    Exit codes: 0 ok, 1 user error, 2 usage error, 3 git/network failure,
    4 template needs --trust, 5 update conflicts, 70 internal error, 130 interrupted.
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
    from rich.table import Table

    from .catalog import load_catalog

    catalog = load_catalog()
    console = _console()
    if detailed:
        for project_type in catalog.values():
            _print_type(console, project_type)
        return
    if console.width < WIDE:
        # a narrow terminal: one row per type, the details a command away
        compact = Table(title="mlportfolio project types", box=None, padding=(0, 2, 0, 0))
        compact.add_column("type", no_wrap=True, style="bold")
        compact.add_column("summary")
        for t in catalog.values():
            compact.add_row(t.name, t.summary)
        console.print(compact)
        console.print("details: mlportfolio list --verbose, or mlportfolio show TYPE")
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


@main.command("show", cls=_TypedCommand)
@click.argument("project_type", metavar="TYPE")
@run_command
def show_type(project_type: str) -> None:
    """Show one project type in detail.

    \b
    Example:
      mlportfolio show recommender
    """
    from .catalog import get_project_type

    _print_type(_console(), get_project_type(project_type))


WIDE = 120  # columns the full `list` table needs


def _console() -> Any:
    """A rich console as wide as the terminal (or $COLUMNS); 120 columns when piped."""
    from rich.console import Console

    on_terminal = sys.stdout.isatty() or "COLUMNS" in os.environ
    return Console(width=None if on_terminal else WIDE)


def _print_type(console: Any, t: Any) -> None:
    console.print(f"[bold]{t.name}[/bold]: {t.title}")
    console.print(f"  {t.summary}")
    if t.aliases:
        console.print(f"  also called: {', '.join(t.aliases)}")
    console.print(f"  sample data: {t.sample_data}")
    console.print(f"  full data:   {t.full_data}")
    console.print(f"  baseline:    {t.baseline}")
    console.print(f"  model:       {t.model}")
    console.print(f"  metrics:     {', '.join(t.metrics)}")
    from .copier_adapter import applicable_questions
    from .create import question_defaults
    from .templates import template_root

    console.print("  questions (answer with --data KEY=VALUE; defaults as `new` would use them):")
    defaults = question_defaults(t.name)
    for question in applicable_questions(t.name, template_root(), defaults).values():
        allowed = f" [{', '.join(map(str, question.choices))}]" if question.choices else ""
        console.print(
            f"    {question.name}: {question.help}{allowed} (default: {question.default!r})",
            markup=False,
            highlight=False,
        )
    console.print(f"  create it:   mlportfolio new {t.name}\n")


@main.command("new", cls=_TypedCommand)
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
@click.option(
    "--data-file",
    metavar="FILE",
    type=click.Path(path_type=Path),
    help="Answers from a YAML file (e.g. another project's .copier-answers.yml); --data wins.",
)
@click.option("--defaults", "-l", is_flag=True, help="Use default answers; never prompt.")
@click.option(
    "--force", is_flag=True, help="Allow a non-empty DEST; files not in the project stay."
)
@click.option(
    "--dry-run", is_flag=True, help="Show the files it would write; write nothing (as --pretend)."
)
@click.option("--no-git", "no_git", is_flag=True, help="Do not create a git repository.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option(
    "--template",
    metavar="SRC",
    help="Use this Copier template (a directory or git URL) instead of the built-in one.",
)
@click.option("--vcs-ref", metavar="REF", help="Git tag, branch or commit of --template to use.")
@click.option("--trust", is_flag=True, help="Allow a template that runs tasks or extensions.")
@run_command
def new(
    project_type: str,
    destination: Path | None,
    name: str | None,
    data_pairs: tuple[str, ...],
    data_file: Path | None,
    defaults: bool,
    force: bool,
    dry_run: bool,
    no_git: bool,
    quiet: bool,
    template: str | None,
    vcs_ref: str | None,
    trust: bool,
) -> None:
    """Create a project of TYPE in DEST, as a git repository with one commit.

    Prompts for the template's questions on a terminal; with --defaults, or when input is not
    a terminal, uses the defaults (your git user.name and user.email where set).

    \b
    Examples:
      mlportfolio new recommender
      mlportfolio new recommender ~/code/movie-recs --name "Movie Recs" --defaults
      mlportfolio new recommender --data license=Apache-2.0 --data top_k=20
      mlportfolio new recommender --template ~/my-template --vcs-ref v2
      mlportfolio new sentiment --data-file answers.yml -l --dry-run
    """
    from .create import NewProject, read_data_file

    if template is None:
        from .catalog import canonical_name, load_catalog

        project_type = canonical_name(project_type, load_catalog())
    data = (read_data_file(data_file, project_type) if data_file else {}) | parse_data(data_pairs)
    if name is not None:
        data["project_name"] = name
    with _late_interrupts_ignored():
        _new(
            NewProject(
                project_type=project_type,
                destination=destination,
                data=data,
                defaults=defaults,
                force=force,
                git=not no_git,
                template=template,
                vcs_ref=vcs_ref,
                trust=trust,
                dry_run=dry_run,
            ),
            quiet=quiet,
            dry_run=dry_run,
        )


@contextmanager
def _late_interrupts_ignored() -> Iterator[None]:
    """Restore Ctrl-C's handler when the command ends (``_new`` ignores it once work is done)."""
    import signal

    previous = signal.getsignal(signal.SIGINT)
    try:
        yield
    finally:
        with suppress(ValueError):  # not the main thread
            signal.signal(signal.SIGINT, previous)


def _new(request: Any, *, quiet: bool, dry_run: bool) -> None:
    import signal

    from .create import create_project

    created = create_project(request)
    # The project exists and is complete: a Ctrl-C now must not report "interrupted" (D14).
    with suppress(ValueError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _print_created(created, quiet=quiet, dry_run=dry_run)


def _print_created(created: Any, *, quiet: bool, dry_run: bool) -> None:
    where = (
        os.path.relpath(created.path) if created.path.is_relative_to(Path.cwd()) else created.path
    )
    title = created.answers.get("project_name", created.path.name)
    if dry_run:
        click.echo(f"Dry run: would create {title} in {where}, {len(created.files)} files:")
        for file in created.files:
            click.echo(f"  {file}{' (replaces yours)' if file in created.replaced else ''}")
    if quiet:
        return
    for warning in created.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if dry_run:
        return
    if created.replaced:
        click.secho(
            f"replaced your {', '.join(created.replaced)} with the project's (--force)",
            fg="yellow",
            err=True,
        )
    click.secho(f"Created {title} in {where}", fg="green", bold=True)
    click.echo(
        "\nNext steps:\n"
        f"  cd {where}\n"
        "  make setup            # create .venv (uv if installed), install the project and tools\n"
        "  make train evaluate   # train and evaluate on the shipped sample\n"
        "  make test             # run the project's tests\n"
        "  make data             # download the full dataset, then DATA=full\n"
        '  git add -A && git commit -m "First results"   # publish wants a clean tree\n'
        "  mlportfolio publish   # create the GitHub repository and push"
    )


@main.command("publish")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--name", help="Repository name (default: the project slug or directory name).")
@click.option(
    "--org", metavar="ORG", help="Create it in this organisation (default: your account)."
)
@click.option("--description", help="Repository description (default: the project's).")
@click.option(
    "--topic",
    "topics",
    multiple=True,
    metavar="TOPIC",
    help="A topic; repeatable (default: the project type's, e.g. machine-learning).",
)
@click.option("--public/--private", "public", default=False, help="Visibility (default: private).")
@click.option("--homepage", metavar="URL", help="Repository homepage URL.")
@click.option("--remote", default="origin", show_default=True, help="Git remote to set.")
@click.option("--branch", help="Branch to push (default: the current branch).")
@click.option(
    "--if-exists",
    type=click.Choice(["fail", "use"]),
    default="fail",
    show_default=True,
    help="If the repository exists: stop, or push to it when it is empty or behind you.",
)
@click.option("--dry-run", is_flag=True, help="Show the requests and the push; change nothing.")
@click.option(
    "--api-url",
    metavar="URL",
    help="GitHub Enterprise API root, e.g. https://github.example.com/api/v3 "
    "(also: GITHUB_API_URL, GH_HOST).",
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@run_command
def publish_command(
    path: Path,
    name: str | None,
    org: str | None,
    description: str | None,
    topics: tuple[str, ...],
    public: bool,
    homepage: str | None,
    remote: str,
    branch: str | None,
    if_exists: str,
    dry_run: bool,
    api_url: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Create the project's GitHub repository and push the current branch to it.

    PATH (default: the current directory) must be a git repository with at least one
    commit and no uncommitted changes. The token comes from GH_TOKEN or GITHUB_TOKEN
    (GH_ENTERPRISE_TOKEN for an Enterprise host), else `gh auth token`, else
    `git credential fill`; it is never a command-line argument, and it is never written to
    .git/config or the remote URL. Nothing is ever force-pushed.

    \b
    Examples:
      mlportfolio publish --dry-run
      GH_TOKEN=... mlportfolio publish --public --yes
      mlportfolio publish ./movie-recs --org my-lab --topic pytorch --topic recsys
      mlportfolio publish --if-exists use        # finish after a failed push
      GH_HOST=github.example.com mlportfolio publish --yes --json
    """
    from .publish import Plan, PublishRequest, publish

    request = PublishRequest(
        path=path,
        name=name,
        org=org,
        description=description,
        topics=topics or None,
        private=not public,
        homepage=homepage,
        remote=remote,
        branch=branch,
        if_exists="use" if if_exists == "use" else "fail",
        dry_run=dry_run,
        api_url=api_url,
    )

    def confirm(plan: Plan) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            raise UserError("publish needs confirmation: pass --yes (or --dry-run to see the plan)")
        action = "Use existing" if plan.existing is not None else "Create"
        visibility = "private" if plan.body["private"] else "public"
        return click.confirm(
            f"{action} {visibility} repository {plan.full_name} on {plan.endpoint.host} "
            f"and push {plan.local.branch} ({plan.local.commit[:7]})?",
            default=False,
            err=True,
        )

    _print_published(publish(request, confirm=confirm), as_json=as_json)


def _print_published(result: Any, *, as_json: bool) -> None:
    """Print what ``publish`` did: the URL last on stdout, the story on stderr."""
    import json

    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    if result.dry_run:
        click.echo("Dry run: nothing was created or pushed. Publishing would run:")
        for planned in result.requests:
            click.echo(f"  {planned.method} {planned.path} {json.dumps(planned.body)}")
        for command in result.git_commands:
            click.echo(f"  {command}")
        for note in result.notes:
            click.echo(f"note: {note}")
        click.echo(result.html_url)
        return
    visibility = "private" if result.private else "public"
    verb = "Created" if result.created else "Used existing"
    click.secho(f"{verb} {visibility} repository {result.full_name}", fg="green", err=True)
    if result.topics:
        click.echo(f"Topics: {', '.join(result.topics)}", err=True)
    click.echo(f"Pushed {result.branch} ({result.commit[:7]}) to {result.remote}", err=True)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(result.html_url)


@main.command("update")
@click.argument("path", metavar="[PATH]", default=".", type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Exit 1 if an update is available, 0 if not.")
@click.option("--dry-run", "--diff", "dry_run", is_flag=True, help="Show the diff; change nothing.")
@click.option("--to", "to", metavar="VERSION", help="Template version to update to.")
@click.option(
    "--data", "-d", "data_pairs", multiple=True, metavar="KEY=VALUE", help="Change an answer."
)
@click.option("--commit", is_flag=True, help="Commit the update (never done otherwise).")
@click.option("--trust", is_flag=True, help="Allow a template that runs tasks or extensions.")
@run_command
def update(
    path: Path,
    check: bool,
    dry_run: bool,
    to: str | None,
    data_pairs: tuple[str, ...],
    commit: bool,
    trust: bool,
) -> None:
    """Bring the project at PATH up to the installed template, keeping your edits.

    Needs a clean git work tree. Conflicts are left as <<<<<<< markers in the listed files and
    the command exits 5.

    \b
    Examples:
      mlportfolio update --check          # in CI: exit 1 when a newer template exists
      mlportfolio update --diff           # what would change
      mlportfolio update --commit
      mlportfolio update --data top_k=20  # change an answer and re-render
    """
    from .update import UpdateRequest, check_update

    if check:
        status = check_update(path)
        if status.available:
            click.echo(f"update available: {status.current} -> {status.latest}")
            sys.exit(1)
        click.echo(f"up to date ({status.current})")
        return
    with _late_interrupts_ignored():
        _update(
            UpdateRequest(
                path=path,
                to=to,
                data=parse_data(data_pairs),
                dry_run=dry_run,
                commit=commit,
                trust=trust,
            )
        )


def _update(request: Any) -> None:
    import signal

    from .update import update_project

    result = update_project(request)
    # The update is done: a Ctrl-C now must not report "interrupted" (D14).
    with suppress(ValueError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    dry_run = request.dry_run
    if dry_run:
        click.echo(result.diff or f"no changes from {result.from_ref} to {result.to_ref}")
        if result.conflicts:
            click.echo(
                f"note: updating would leave conflicts in {', '.join(result.conflicts)}; "
                "nothing was changed",
                err=True,
            )
        return
    if not result.changed:
        click.echo(f"already up to date ({result.to_ref})")
        return
    if result.from_ref == result.to_ref:
        changes = ", ".join(f"{key}={value}" for key, value in request.data.items())
        click.secho(f"Changed answers {changes} (template {result.to_ref}):", fg="green")
    else:
        click.secho(f"Updated {result.from_ref} -> {result.to_ref}:", fg="green")
    for name in result.changed:
        click.echo(f"  {name}")
    if result.commit:
        click.echo(f"committed as {result.commit[:12]}")
    else:
        click.echo("review with `git diff`, then commit")


@main.command("versions")
@run_command
def versions() -> None:
    """List the template versions this mlportfolio carries (for `update --to`).

    \b
    Example:
      mlportfolio versions
      mlportfolio update --to 0.1.0
    """
    from .templates import bundled_versions

    carried = bundled_versions()
    if not carried:
        click.echo(
            f"v{__version__} (a source checkout: it carries no released versions; "
            "`pip install .` bundles them)"
        )
    for version in carried:
        click.echo(f"{version} (installed)" if version == f"v{__version__}" else version)


@main.group("config")
def config_group() -> None:
    """Your default answers (author, email, GitHub user, license, ...) for every new project.

    \b
    Examples:
      mlportfolio config set author_name "Ada Lovelace"
      mlportfolio config set license Apache-2.0
      mlportfolio config list
    """


@config_group.command("set")
@click.argument("key")
@click.argument("value")
@run_command
def config_set(key: str, value: str) -> None:
    """Store VALUE as the default answer to question KEY, checked by the template's rules.

    \b
    KEY is one of:
      author_name, author_email, github_user, license, python_version, seed,
      the production options api, docker, monitoring and tracking (true/false),
      or a type's own question (see `mlportfolio show TYPE`), e.g. top_k.
    project_name, project_slug, package_name and description differ for every
    project: give them to `mlportfolio new`.

    \b
    Examples:
      mlportfolio config set author_name "Ada Lovelace"
      mlportfolio config set github_user ada-l
      mlportfolio config set license Apache-2.0
    """
    from .config import check_default, set_default

    checked = check_default(key, parse_data([f"{key}={value}"])[key])
    click.echo(f"{key} = {checked!r} (in {set_default(key, checked)})")


@config_group.command("get")
@click.argument("key")
@run_command
def config_get(key: str) -> None:
    """Print the stored default for KEY (exit 1 if unset)."""
    from .config import load_user_config
    from .errors import UserError

    defaults = load_user_config()
    if key not in defaults:
        raise UserError(f"{key} is not set; `mlportfolio config list` shows what is")
    click.echo(defaults[key])


@config_group.command("unset")
@click.argument("key")
@run_command
def config_unset(key: str) -> None:
    """Forget the stored default for KEY."""
    from .config import unset_default

    unset_default(key)


@config_group.command("list")
@run_command
def config_list() -> None:
    """Print every stored default."""
    from .config import config_path, load_user_config

    defaults = load_user_config()
    if not defaults:
        click.echo(f"no defaults set (they would be in {config_path()})")
    for key, value in sorted(defaults.items()):
        click.echo(f"{key} = {value!r}")


@config_group.command("path")
@run_command
def config_path_command() -> None:
    """Print where the defaults are stored."""
    from .config import config_path

    click.echo(config_path())


@main.group("template")
def template_group() -> None:
    """Work with the built-in template: export it to customise it."""


@template_group.command("export")
@click.argument("destination", metavar="DIR", type=click.Path(path_type=Path))
@run_command
def template_export(destination: Path) -> None:
    """Write the built-in template to DIR as a tagged git repository, ready to fork.

    \b
    Example:
      mlportfolio template export ~/my-template
      mlportfolio new recommender --template ~/my-template
    """
    from .templates import export_template

    tag = export_template(destination)
    click.echo(f"Exported the template ({tag}) to {destination}")


@main.command("portfolio")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["site", "markdown"]),
    default="site",
    show_default=True,
    help="A static site, or a Markdown table written into a file between marker comments.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="The site's folder (default: site/), or the Markdown file to write into (required).",
)
@click.option("--title", default="Machine-learning portfolio", show_default=True)
@click.option(
    "--depth", default=3, show_default=True, type=click.IntRange(0, 20), help="Folders searched."
)
@click.option("--serve", is_flag=True, help="Preview the site on http://127.0.0.1:PORT.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--init-pages",
    is_flag=True,
    help="Also write .github/workflows/pages.yml here, which publishes the site on GitHub Pages.",
)
@run_command
def portfolio_command(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    title: str,
    depth: int,
    serve: bool,
    port: int,
    init_pages: bool,
) -> None:
    """Present your projects on one page: a static site or a profile README section.

    Collects every mlportfolio project under PATHS (default: the current folder), found by
    its .copier-answers.yml, with its eval/metrics.json, README summary, figures and GitHub URL.

    \b
    Examples:
      mlportfolio portfolio ~/code                    # writes site/
      mlportfolio portfolio ~/code --serve            # ... and previews it
      mlportfolio portfolio ~/code --init-pages       # ... with a GitHub Pages workflow
      mlportfolio portfolio ~/code --format markdown -o ~/code/me/README.md
    """
    from .portfolio import collect_projects
    from .site import render_markdown, write_markdown_section

    if output_format == "markdown" and (serve or init_pages):
        raise click.UsageError("--serve and --init-pages go with --format site")
    collection = collect_projects(list(paths), max_depth=depth)
    for skipped in collection.skipped:
        click.secho(f"skipped {skipped.path}: {skipped.reason}", fg="yellow", err=True)
    for project in collection.projects:
        if project.problem:
            click.secho(f"warning: {project.path}: {project.problem}", fg="yellow", err=True)
    if not collection.projects:
        raise UserError("no mlportfolio projects found: pass the folders that hold them")
    if output_format == "markdown" and output is None:
        raise click.UsageError("--format markdown needs --output FILE, e.g. your profile README.md")
    count = f"{len(collection.projects)} project{'s' * (len(collection.projects) != 1)}"
    if output is not None and output_format == "markdown":
        changed = write_markdown_section(output, render_markdown(collection.projects))
        click.echo(f"{'Wrote' if changed else 'Unchanged:'} {count} in {output}")
        return
    directory = Path("site") if output is None else output
    _write_site(collection.projects, directory, title=title, count=count, init_pages=init_pages)
    if serve:
        _serve(directory, port)


def _write_site(
    projects: list[Any], directory: Path, *, title: str, count: str, init_pages: bool
) -> None:
    from .site import build_site, check_pages
    from .site import init_pages as write_pages

    site = os.path.relpath(directory.resolve(), Path.cwd())
    if init_pages:
        check_pages(Path.cwd(), site)  # refuse before writing anything
    result = build_site(projects, directory, title=title)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"Wrote {count} to {directory / 'index.html'}")
    if init_pages:
        workflow, written = write_pages(Path.cwd(), site)
        click.echo(f"{'Wrote' if written else 'Unchanged:'} {workflow}")


def _serve(directory: Path, port: int) -> None:
    from .site import serve_site

    server = serve_site(directory, port)
    click.echo(f"Serving on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()


@main.command("status")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--depth", default=3, show_default=True, type=click.IntRange(0, 20), help="Folders searched."
)
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@run_command
def status_command(paths: tuple[Path, ...], depth: int, as_json: bool) -> None:
    """Where each project stands: template, evaluation, data, publication, work tree.

    \b
    Examples:
      mlportfolio status ~/code
      mlportfolio status --json | jq '.projects[] | select(.update_available)'
    """
    import json

    from .status import collect_status

    rows, skipped = collect_status(list(paths), max_depth=depth)
    if as_json:
        document = {
            "projects": [row.to_dict() for row in rows],
            "skipped": [{"path": str(s.path), "reason": s.reason} for s in skipped],
        }
        click.echo(json.dumps(document, indent=2))
        return
    for item in skipped:
        click.secho(f"skipped {item.path}: {item.reason}", fg="yellow", err=True)
    if not rows:
        raise UserError("no mlportfolio projects found: pass the folders that hold them")
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="mlportfolio projects")
    for column in ("project", "type", "template", "evaluated", "data", "published", "work tree"):
        table.add_column(column, overflow="fold")
    for row in rows:
        template = row.template_version or "?"
        if row.update_available:
            template += f" -> {row.latest_version} available"
        table.add_row(
            escape(f"{row.name}\n{row.path}"),
            escape(row.project_type or "custom"),
            escape(template),
            escape(row.evaluated or "not evaluated yet"),
            escape(row.data or "-") + (f" ({escape(row.data_mode)})" if row.data_mode else ""),
            escape(row.published or "no"),
            "no git" if row.clean is None else ("clean" if row.clean else "changes"),
        )
    _console().print(table)
    for row in rows:
        for note in row.notes:
            if note != "not evaluated yet":
                click.echo(f"note: {row.name}: {note}", err=True)
