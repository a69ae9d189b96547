"""The command entry: ``python -m <package> [--debug] data|train|evaluate|tune|predict [options]``.

Each step is a module of the package with the same name that provides::

    def add_arguments(parser: argparse.ArgumentParser) -> None: ...  # its options
    def run(args: argparse.Namespace) -> int: ...                     # do it; 0 on success

and whose docstring's first line is its help. Steps raise :class:`~.errors.ProjectError` on an
expected failure; this is the only place that turns one into ``error: <one line>`` on stderr and
a non-zero exit (``--debug`` shows the traceback instead), and Ctrl-C into exit status 130.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from types import ModuleType

from .errors import ProjectError

STEPS = ("data", "train", "evaluate", "tune", "predict")
EXIT_ERROR, EXIT_INTERRUPTED = 1, 130


def step_modules() -> dict[str, ModuleType]:
    """The steps this project type has, imported."""
    return {
        name: importlib.import_module(f"{__package__}.{name}")
        for name in STEPS
        if importlib.util.find_spec(f"{__package__}.{name}") is not None
    }


def build_parser(steps: dict[str, ModuleType]) -> argparse.ArgumentParser:
    """The parser with one subcommand per step."""
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
    for name, module in steps.items():
        summary = (module.__doc__ or name).strip().splitlines()[0]
        sub = commands.add_parser(name, help=summary, description=module.__doc__, parents=[debug])
        sub.formatter_class = argparse.RawDescriptionHelpFormatter
        module.add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the step, and turn expected failures into an exit status."""
    steps = step_modules()
    args = build_parser(steps).parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        return int(steps[args.step].run(args) or 0)
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
