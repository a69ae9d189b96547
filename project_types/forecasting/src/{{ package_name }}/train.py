"""Fit every model on the whole of each series and save them to models/ for ``predict``.

The backtest (``make evaluate``) refits on each fold's window by design; these fits use every
observation, as a forecast of the real future should.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import joblib

from .backtest import min_train_length
from .config import Settings, load_config
from .data import SeriesSet, load_data
from .errors import DataError
from .models import Forecaster, build, model_names
from .paths import models_dir, shown
from .settings import data_mode

MODELS_FILE = "forecasters.joblib"


def fit_all(
    config: Settings, data: SeriesSet
) -> tuple[dict[str, dict[str, Forecaster]], dict[str, float]]:
    """Every configured model fitted on every series; seconds per model."""
    names = model_names(config, data.season_length)
    fitted: dict[str, dict[str, Forecaster]] = {}
    seconds = dict.fromkeys(names, 0.0)
    needed = min_train_length(data.season_length)
    for sid, values in data.series.items():
        if len(values) < needed:
            raise DataError(
                f"series {sid!r} has {len(values)} observations; season {data.season_length} "
                f"needs at least {needed} (set series.season_length)"
            )
        fitted[sid] = {}
        for name in names:
            start = time.perf_counter()
            fitted[sid][name] = build(name, config, data.season_length).fit(values.to_numpy(float))
            seconds[name] += time.perf_counter() - start
    return fitted, {n: round(s, 2) for n, s in seconds.items()}


def train(config: Settings, mode: str, directory: Path | None = None) -> dict[str, Any]:
    """Fit on the data of ``mode``; write ``forecasters.joblib`` and ``meta.json``."""
    data = load_data(config, mode)
    directory = directory or models_dir()
    directory.mkdir(parents=True, exist_ok=True)
    fitted, seconds = fit_all(config, data)
    joblib.dump(fitted, directory / MODELS_FILE)
    first = next(iter(fitted.values()))
    meta = {
        "data_mode": mode,
        "data": data.describe(),
        "frequency": data.frequency,
        "season_length": data.season_length,
        "last_dates": {sid: f"{v.index[-1]:%Y-%m-%d %H:%M:%S}" for sid, v in data.series.items()},
        "models": list(first),
        "params": {name: model.params() for name, model in first.items()},
        "fit_seconds": seconds,
    }
    (directory / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def load_models(directory: Path | None = None) -> dict[str, dict[str, Forecaster]]:
    """The fitted forecasters, by series and model name."""
    loaded: dict[str, dict[str, Forecaster]] = joblib.load(
        (directory or models_dir()) / MODELS_FILE
    )
    return loaded


def run(args: argparse.Namespace) -> int:
    """Train on the data chosen by ``--data`` or ``$DATA``."""
    meta = train(load_config(), data_mode(args.data))
    print(f"Trained on {meta['data']}")
    for name, secs in meta["fit_seconds"].items():
        chosen = meta["params"][name].get("model", "")
        print(f"  {name:<15} {chosen:<24} fitted in {secs:.2f} s")
    print(f"Saved {shown(models_dir() / MODELS_FILE)}")
    return 0
