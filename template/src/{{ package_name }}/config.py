"""Project paths and the YAML configuration every step reads."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml

PROJECT_ROOT = Path(os.environ.get("PROJECT_ROOT", Path(__file__).resolve().parents[2]))
CONFIG_PATH = PROJECT_ROOT / "configs" / "default.yaml"
BEST_PARAMS_PATH = PROJECT_ROOT / "configs" / "best_params.yaml"
DATA_DIR = PROJECT_ROOT / "data"
MODELS_DIR = PROJECT_ROOT / "models"
EVAL_DIR = PROJECT_ROOT / "eval"
FIGURES_DIR = EVAL_DIR / "figures"

DataMode = Literal["sample", "full"]


def load_config(path: Path = CONFIG_PATH) -> dict[str, Any]:
    """Read the configuration, with tuned parameters (``make tune``) laid over the defaults."""
    config: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if path == CONFIG_PATH and BEST_PARAMS_PATH.is_file():
        tuned = yaml.safe_load(BEST_PARAMS_PATH.read_text(encoding="utf-8")) or {}
        for section, params in tuned.items():
            config.setdefault(section, {}).update(params)
    return config


def data_mode(value: str | None = None) -> DataMode:
    """Resolve which data to use: the argument, else ``$DATA``, else the shipped sample."""
    mode = value or os.environ.get("DATA") or "sample"
    if mode not in ("sample", "full"):
        raise SystemExit(f"DATA must be 'sample' or 'full', got {mode!r}")
    return mode  # type: ignore[return-value]
