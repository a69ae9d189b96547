"""Where the project's folders are, found from the working directory (never from ``__file__``).

The root is ``$PROJECT_ROOT`` when set, else the nearest folder at or above the current working
directory that holds ``configs/default.yaml``. ``__file__`` would point into site-packages once
the package is installed with ``pip install .`` (or into a container image), not at the project.
Every function looks the root up again, so a changed working directory or environment counts.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigError

MARKER = Path("configs") / "default.yaml"


def project_root() -> Path:
    """The project root: ``$PROJECT_ROOT``, else the first folder upwards from the cwd with the marker."""
    env = os.environ.get("PROJECT_ROOT")
    if env:
        root = Path(env).expanduser().resolve()
        if not (root / MARKER).is_file():
            raise ConfigError(f"PROJECT_ROOT={env} has no {MARKER.as_posix()}")
        return root
    cwd = Path.cwd().resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / MARKER).is_file():
            return folder
    raise ConfigError(
        f"no project root: no {MARKER.as_posix()} in {cwd} or above; run from inside the "
        "project or set PROJECT_ROOT"
    )


def configs_dir() -> Path:
    """``configs/``: default.yaml and, after ``make tune``, best_params.yaml."""
    return project_root() / "configs"


def config_file() -> Path:
    """``configs/default.yaml``, the one place every default lives."""
    return configs_dir() / "default.yaml"


def best_params_file() -> Path:
    """``configs/best_params.yaml``, written by ``make tune`` and laid over the defaults."""
    return configs_dir() / "best_params.yaml"


def data_dir() -> Path:
    """``data/`` (``raw/``, ``processed/``, ``sample/``)."""
    return project_root() / "data"


def models_dir() -> Path:
    """``models/``: trained artefacts."""
    return project_root() / "models"


def eval_dir() -> Path:
    """``eval/``: metrics.json, its schema and the figures."""
    return project_root() / "eval"


def figures_dir() -> Path:
    """``eval/figures/``."""
    return eval_dir() / "figures"


def resolve(path: str | Path) -> Path:
    """A path from the configuration: relative ones are relative to the project root."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else project_root() / path


def shown(path: Path) -> str:
    """A path as messages show it: relative to the project root when inside it."""
    try:
        return path.resolve().relative_to(project_root()).as_posix()
    except (ValueError, ConfigError):
        return str(path)
