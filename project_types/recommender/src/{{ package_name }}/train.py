"""Train the baselines and models on each split, and the deployed ranking model on all ratings.

Writes ``models/<data>-time.npz`` (popularity, bias, MF and EASE on the per-user time split's
training part), ``models/<data>-random.npz`` (bias and MF on the random 80/20 split's training
part) and ``models/<data>-all.npz`` (popularity and EASE on every rating, for ``predict``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from .config import Settings, load_config
from .data import load_dataset
from .models import Model, build, save_models
from .paths import models_dir, shown
from .settings import DataMode, data_mode
from .split import Encoder, make_split

MODELS_BY_SPLIT = {
    "time": ("popularity", "bias", "mf", "ease"),
    "random": ("bias", "mf"),
    "all": ("popularity", "ease"),
}


def model_path(mode: DataMode, split: str) -> Path:
    """Where the models of one data mode and split are saved."""
    return models_dir() / f"{mode}-{split}.npz"


def training_part(ratings: pd.DataFrame, split: str, settings: Settings) -> pd.DataFrame:
    """The ratings a split trains on (every rating for ``all``)."""
    if split == "all":
        return ratings
    train, _ = make_split(ratings, split, settings.split.test_fraction, settings.seed)
    return train


def fit_models(
    train: pd.DataFrame, names: tuple[str, ...], settings: Settings
) -> tuple[Encoder, dict[str, Model]]:
    """Encode a training table and fit the named models on it."""
    encoder = Encoder.fit(train)
    data = encoder.transform(train)
    return encoder, {name: build(name, settings).fit(data) for name in names}


def run(args: argparse.Namespace) -> int:
    """Train everything for DATA=sample|full and save it under models/."""
    settings = load_config()
    mode = data_mode(args.data)
    dataset = load_dataset(mode, settings)
    print(f"data: {dataset.label}")
    for split, names in MODELS_BY_SPLIT.items():
        start = time.perf_counter()
        train = training_part(dataset.ratings, split, settings)
        encoder, models = fit_models(train, names, settings)
        path = model_path(mode, split)
        save_models(path, encoder, models)
        print(
            f"{split:>6} split: {', '.join(names)} on {len(train)} ratings "
            f"in {time.perf_counter() - start:.1f} s -> {shown(path)}"
        )
    return 0
