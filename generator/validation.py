"""Checks on answers and on a rendered project before it is committed.

The template's validators check each answer as Copier asks it; these checks need Python: the
package name against every module the project could import, and every TOML, YAML and Python
file of the rendered project parsed, so a project that cannot even be installed is never
committed or reported as created.
"""

from __future__ import annotations

import sys
import tomllib
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import InvalidAnswerError, UserError

# libyaml's parser where PyYAML has it: a project's YAML files take ~0.1 s with the Python one
_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Import names of what a generated project depends on or is built and tested with, and names
#: that would clash with the project's own folders. (The standard library is added below.)
DEPENDENCY_MODULES = frozenset(
    {
        "numpy",
        "pandas",
        "scipy",
        "sklearn",
        "matplotlib",
        "pooch",
        "yaml",
        "requests",
        "tqdm",
        "pydantic",
        "pydantic_core",
        "jsonschema",
        "check_jsonschema",
        "mypy",
        "pre_commit",
        "pytest",
        "_pytest",
        "ruff",
        "validate_pyproject",
        "setuptools",
        "pkg_resources",
        "pip",
        "wheel",
        "joblib",
        "threadpoolctl",
        "dateutil",
        "pytz",
        "tzdata",
        "urllib3",
        "certifi",
        "idna",
        "charset_normalizer",
        "platformdirs",
        "packaging",
        "mlportfolio",
        "test",
        "tests",
        "src",
        "data",
        "models",
        "configs",
        "eval",
    }
)

MAX_SHOWN = 60


def shown(value: object) -> str:
    """``repr(value)``, cut to a length that fits on one line of an error message."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def reserved_module(name: str) -> bool:
    """Whether a package called ``name`` would shadow a module the project imports."""
    return (
        name in sys.stdlib_module_names
        or name in DEPENDENCY_MODULES
        or name in sys.builtin_module_names
    )


def check_package_name(name: str) -> str:
    """Return ``name`` if the project can use it as its package, else a one-line error."""
    if reserved_module(name):
        raise InvalidAnswerError(
            f"package_name: {shown(name)} would shadow the module of that name (the standard "
            "library or a dependency), so the project could not import it: pick another name"
        )
    return name


def check_answers(answers: Mapping[str, Any]) -> None:
    """Checks on the final answers that the template's Jinja validators cannot make."""
    package = answers.get("package_name")
    if isinstance(package, str):
        check_package_name(package)


def check_rendered(root: Path) -> None:
    """Parse every TOML, YAML and Python file under ``root``; a broken one is a one-line error.

    ``.git`` and links are skipped.
    """
    check_files(root, sorted(root.rglob("*")))


def check_files(root: Path, paths: list[Path]) -> None:
    """Parse the TOML, YAML and Python files among ``paths`` (under ``root``); see above."""
    for path in paths:
        path = path if path.is_absolute() else root / path
        relative = path.relative_to(root)
        if relative.parts[0] == ".git" or path.is_symlink() or not path.is_file():
            continue
        suffix = path.suffix
        if suffix not in (".toml", ".yml", ".yaml", ".py"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
            if suffix == ".toml":
                tomllib.loads(text)
            elif suffix == ".py":
                # Compiling to bytecode finds the same syntax errors as ast.parse at a third
                # of the cost (no Python AST objects are built): ~0.1 s of every `new`.
                with warnings.catch_warnings():  # a SyntaxWarning is the project's to show
                    warnings.simplefilter("ignore")
                    compile(text, str(relative), "exec", dont_inherit=True)
            else:
                list(yaml.load_all(text, Loader=_YAML_LOADER))
        except (ValueError, SyntaxError, yaml.YAMLError) as exc:
            reason = " ".join(str(exc).split())[:120]
            raise UserError(
                f"the rendered {relative.as_posix()} is not valid "
                f"{ {'.toml': 'TOML', '.py': 'Python'}.get(suffix, 'YAML') } ({reason}): an "
                "answer holds characters that file cannot take; change it, or report the "
                "template bug"
            ) from None
