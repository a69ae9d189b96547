"""Fit the baselines and the main model on the training split and save them to models/."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import joblib

from .config import Settings, load_config
from .data import load_data
from .errors import NotTrainedError
from .models import MODEL_NAMES, build_pipeline, model_params
from .paths import models_dir, shown
from .settings import data_mode


def train(config: Settings, mode: str, directory: Path | None = None) -> dict[str, Any]:
    """Fit every model on the training split only; write ``<name>.joblib`` and ``meta.json``."""
    reviews = load_data(config, mode)
    directory = directory or models_dir()
    directory.mkdir(parents=True, exist_ok=True)
    seconds = {}
    for name in MODEL_NAMES:
        start = time.perf_counter()
        pipeline = build_pipeline(config, name).fit(reviews.train["text"], reviews.train["label"])
        seconds[name] = round(time.perf_counter() - start, 2)
        joblib.dump(pipeline, directory / f"{name}.joblib")
    meta = {
        "data_mode": mode,
        "data": reviews.describe(),
        "n_train": len(reviews.train),
        "model_kind": config.model.kind,
        "params": {name: model_params(config, name) for name in MODEL_NAMES},
        "fit_seconds": seconds,
    }
    (directory / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def read_meta(directory: Path | None = None, mode: str | None = None) -> dict[str, Any]:
    """What ``train`` recorded; refuse models that are missing or were trained on other data."""
    directory = directory or models_dir()
    path = directory / "meta.json"
    if not path.is_file():
        raise NotTrainedError(f"{shown(path)} not found: run `make train` first")
    meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if mode is not None and meta.get("data_mode") != mode:
        raise NotTrainedError(
            f"the models were trained with DATA={meta.get('data_mode')}: "
            f"run `make train DATA={mode}`"
        )
    return meta


def check_trained_with(meta: dict[str, Any], config: Settings) -> None:
    """Refuse models trained with other parameters than the configuration now holds.

    Evaluation cross-validates with the configuration and reports its parameters, so both
    must be the ones the saved models were trained with.
    """
    saved = meta.get("params", {})
    for name in MODEL_NAMES:
        now = json.loads(json.dumps(model_params(config, name)))  # as meta.json stores it
        before = saved.get(name, {})
        for key in sorted(set(now) | set(before)):
            if before.get(key) != now.get(key):
                raise NotTrainedError(
                    f"the {name} model was trained with {key}={before.get(key)!r}, the "
                    f"configuration now says {now.get(key)!r}: run `make train` again"
                )


def run(args: argparse.Namespace) -> int:
    """Train on the data chosen by ``--data`` or ``$DATA``."""
    meta = train(load_config(), data_mode(args.data))
    print(f"Trained on {meta['data']}")
    for name, secs in meta["fit_seconds"].items():
        print(f"  {name:<12} fitted in {secs:.2f} s -> models/{name}.joblib")
    return 0
