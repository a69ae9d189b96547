"""What ``train`` and ``tune`` leave for the later steps: ``models/meta.json`` and
``configs/best_params.yaml``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import NotTrainedError
from .paths import best_params_file, models_dir, shown


def read_meta(
    directory: Path | None = None, mode: str | None = None, requires: str | None = None
) -> dict[str, Any]:
    """What ``train`` recorded; refuse models that are missing or were trained on other data.

    ``requires`` names a file ``train`` writes beside ``meta.json`` that must be there too.
    """
    directory = directory or models_dir()
    path = directory / "meta.json"
    for needed in (path, directory / requires) if requires else (path,):
        if not needed.is_file():
            raise NotTrainedError(f"{shown(needed)} not found: run `make train` first")
    meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if mode is not None and meta.get("data_mode") != mode:
        raise NotTrainedError(
            f"the models were trained with DATA={meta.get('data_mode')}: "
            f"run `make train DATA={mode}`"
        )
    return meta


def check_params(meta: Mapping[str, Any], current: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse models trained with other parameters than ``current`` (model name -> parameters)."""
    saved = meta.get("params", {})
    for name, params in current.items():
        now = json.loads(json.dumps(params))  # as meta.json stores it
        before = saved.get(name, {})
        for key in sorted(set(now) | set(before)):
            if before.get(key) != now.get(key):
                raise NotTrainedError(
                    f"the {name} model was trained with {key}={before.get(key)!r}, the "
                    f"configuration now says {now.get(key)!r}: run `make train` again"
                )


def write_best(
    best: dict[str, Any],
    score: float,
    note: str,
    path: Path | None = None,
    scored_by: str = "Best score of the search inside the training data",
) -> Path:
    """Write the ``tune`` overlay with a header saying where it came from."""
    path = path or best_params_file()
    header = (
        f"# Written by `make tune` on {note}.\n"
        f"# {scored_by}: {score:.4f}.\n"
        "# Laid over configs/default.yaml when a step loads the configuration; delete this file"
        " to use the defaults.\n"
    )
    path.write_text(header + yaml.safe_dump(best, sort_keys=True), encoding="utf-8")
    return path
