"""Train the baselines and models on each split, and the deployed ranking model on all ratings.

Writes ``models/<data>-time.npz`` (popularity, bias, MF and EASE on the per-user time split's
training part), ``models/<data>-random.npz`` (bias and MF on the random 80/20 split's training
part) and ``models/<data>-all.npz`` (popularity and EASE on every rating, for ``predict``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import pandas as pd

from .config import MODELS_DIR, DataMode, data_mode, load_config
from .data import load_dataset
from .models import Model, build, save_models
from .split import Encoder, make_split

MODELS_BY_SPLIT = {
    "time": ("popularity", "bias", "mf", "ease"),
    "random": ("bias", "mf"),
    "all": ("popularity", "ease"),
}


def model_path(mode: DataMode, split: str) -> Path:
    """Where the models of one data mode and split are saved."""
    return MODELS_DIR / f"{mode}-{split}.npz"


def training_part(ratings: pd.DataFrame, split: str, config: dict[str, Any]) -> pd.DataFrame:
    """The ratings a split trains on (every rating for ``all``)."""
    if split == "all":
        return ratings
    train, _ = make_split(ratings, split, config["split"]["test_fraction"], config["seed"])
    return train


def fit_models(
    train: pd.DataFrame, names: tuple[str, ...], config: dict[str, Any]
) -> tuple[Encoder, dict[str, Model]]:
    """Encode a training table and fit the named models on it."""
    encoder = Encoder.fit(train)
    data = encoder.transform(train)
    return encoder, {name: build(name, config).fit(data) for name in names}


def main(argv: list[str] | None = None) -> None:
    """Command line: train everything for DATA=sample|full."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["sample", "full"], help="default: $DATA or sample")
    args = parser.parse_args(argv)
    config = load_config()
    mode = data_mode(args.data)
    dataset = load_dataset(mode, config)
    print(f"data: {dataset.label}, {len(dataset.ratings)} ratings")
    for split, names in MODELS_BY_SPLIT.items():
        start = time.perf_counter()
        train = training_part(dataset.ratings, split, config)
        encoder, models = fit_models(train, names, config)
        path = model_path(mode, split)
        save_models(path, encoder, models)
        print(
            f"{split:>6} split: {', '.join(names)} on {len(train)} ratings "
            f"in {time.perf_counter() - start:.1f} s -> {path.name}"
        )


if __name__ == "__main__":
    main()
