"""The command entry: ``python -m <package> [--debug] data|train|evaluate|tune|predict [options]``.

Each step is a module of the package with the same name that provides::

    def add_arguments(parser: argparse.ArgumentParser) -> None: ...  # its options
    # (optional: without it, the step takes the one common option, --data sample|full)
    def run(args: argparse.Namespace) -> int: ...                     # do it; 0 on success

and whose docstring's first line is its help. Steps raise :class:`~.errors.ProjectError` on an
expected failure; this is the only place that turns one into ``error: <one line>`` on stderr and
a non-zero exit (``--debug`` shows the traceback instead), and Ctrl-C into exit status 130.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from .errors import ProjectError
from .paths import project_root

STEPS = ("data", "train", "evaluate", "tune", "predict")
EXIT_ERROR, EXIT_INTERRUPTED = 1, 130


def available_steps() -> dict[str, str]:
    """The steps this project type has, with the first line of each one's docstring.

    The docstrings are read from the source, not imported, so ``--help`` and every step start
    without importing the other steps' dependencies.
    """
    steps = {}
    for name in STEPS:
        spec = importlib.util.find_spec(f"{__package__}.{name}")
        if spec is not None and spec.origin:
            source = Path(spec.origin).read_text(encoding="utf-8")
            doc = ast.get_docstring(ast.parse(source)) or name
            steps[name] = doc.strip().splitlines()[0]
    return steps


def load_step(name: str) -> ModuleType:
    """Import a step's module."""
    return importlib.import_module(f"{__package__}.{name}")


def _data_option(parser: argparse.ArgumentParser) -> None:
    """The options of a step that declares none: the common --data."""
    from .settings import add_data_argument  # pydantic: only once a step is chosen

    add_data_argument(parser)


def build_parser(steps: dict[str, str], chosen: ModuleType | None) -> argparse.ArgumentParser:
    """The parser with one subcommand per step; only the chosen step's options are added."""
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}",
        description="Run one step of the project; `make` calls these.",
        parents=[debug],
    )
    commands = parser.add_subparsers(dest="step", required=True, metavar="STEP")
    for name, summary in steps.items():
        sub = commands.add_parser(name, help=summary, parents=[debug])
        if chosen is not None and chosen.__name__.rpartition(".")[2] == name:
            sub.description = chosen.__doc__
            sub.formatter_class = argparse.RawDescriptionHelpFormatter
            getattr(chosen, "add_arguments", _data_option)(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the step, and turn expected failures into an exit status."""
    argv = sys.argv[1:] if argv is None else argv
    steps = available_steps()
    name = next((arg for arg in argv if not arg.startswith("-")), None)
    debug = "--debug" in argv
    try:
        if name in steps and not {"-h", "--help"} & set(argv):
            project_root()  # fail fast, before a step's imports (scikit-learn, pandas) are paid
        chosen = load_step(name) if name in steps else None
        args = build_parser(steps, chosen).parse_args(argv)
        return int(load_step(args.step).run(args) or 0)
    except ProjectError as err:
        if debug:
            raise
        print(f"error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        if debug:
            raise
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
