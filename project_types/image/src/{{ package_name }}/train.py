"""Fit the baseline and the main model on the training split and save them to models/."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import joblib

from .artifacts import check_params
from .config import Settings, load_config
from .data import ImageData, load_data, report_skipped
from .models import fit_sklearn, model_names, model_params
from .paths import models_dir
from .settings import data_mode


def train(
    config: Settings, mode: str, directory: Path | None = None, data: ImageData | None = None
) -> dict[str, Any]:
    """Fit every model on the training split only; write the models and ``meta.json``."""
    config = config.for_data(mode)
    if config.model.kind == "cnn":
        from .cnn import require_torch

        require_torch()  # before minutes of fitting the other models
    data = data or load_data(config, mode)
    directory = directory or models_dir()
    directory.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    history: list[dict[str, float]] = []
    for name in model_names(config):
        start = time.perf_counter()
        if name == "cnn":
            from .cnn import train_cnn

            cnn, history = train_cnn(
                config.cnn, data.x_train, data.y_train, len(data.classes), config.seed
            )
            cnn.save(directory / "cnn.pt")
        else:
            pipeline = fit_sklearn(config, name, data.x_train, data.y_train)
            joblib.dump(pipeline, directory / f"{name}.joblib")
        seconds[name] = round(time.perf_counter() - start, 2)
    meta = {
        "data_mode": mode,
        "data": data.describe(),
        "n_train": len(data.y_train),
        "classes": data.classes,
        "shape": list(data.shape),
        "model_kind": config.model.kind,
        "params": {name: model_params(config, name) for name in model_names(config)},
        "fit_seconds": seconds,
        "cnn_history": history,
    }
    (directory / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def check_trained_with(meta: dict[str, Any], config: Settings) -> None:
    """Refuse models trained with other parameters than the configuration now holds."""
    check_params(meta, {name: model_params(config, name) for name in model_names(config)})


def run(args: argparse.Namespace) -> int:
    """Train on the data chosen by ``--data`` or ``$DATA``."""
    config = load_config()
    data = load_data(config, data_mode(args.data))
    report_skipped(data)
    meta = train(config, data_mode(args.data), data=data)
    print(f"Trained on {meta['data']}")
    for name, secs in meta["fit_seconds"].items():
        suffix = "pt" if name == "cnn" else "joblib"
        print(f"  {name:<7} fitted in {secs:.2f} s -> models/{name}.{suffix}")
    return 0
