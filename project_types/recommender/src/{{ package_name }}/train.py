"""Train the baselines and models on each split's training part; choose the top-N model there.

Writes ``models/<data>-time.npz`` (popularity, bias, MF, item kNN, their blend and EASE on the
per-user split's training part; ``predict`` uses its EASE too, with each user's every rating, so
nothing is fitted twice) and ``models/<data>-random.npz`` (bias, MF, kNN and the blend on the
random 80/20 split's training part).

Choices are made inside the training part, never on the test part: its last
``tune.validation_fraction`` of each user's ratings is held out once, MF's iteration count is the
one with the lowest validation RMSE (0: the bias model), the blend's weights are fitted on the
same hold-out, and the top-N model the report puts forward is the one (bias ranking, MF or EASE)
with the best validation NDCG@k. Popularity stays the top-N baseline whatever happens. kNN and
the blend are rating models only: ranked by predicted rating they would do as MF does, far
below EASE, so they are not ranked.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import Settings, load_config
from .data import load_dataset
from .metrics import ranking_metrics, relevant_sets, rmse
from .models import (
    Bias,
    Blend,
    ItemKNN,
    MatrixFactorization,
    Model,
    build,
    estimates_of,
    save_models,
    top_n,
)
from .paths import models_dir, shown
from .settings import DataMode, data_mode
from .split import Encoder, Interactions, make_split, random_split, time_split

MODELS_BY_SPLIT = {
    "time": ("popularity", "bias", "mf", "knn", "blend", "ease"),
    "random": ("bias", "mf", "knn", "blend"),
}
# The models ranked for top-N and, of those, what may be put forward (popularity is the
# baseline); the rating model put forward is the blend, whose weights validation sets.
RANKED = ("popularity", "bias", "mf", "ease")
CANDIDATES = ("bias", "mf", "ease")


def model_path(mode: DataMode, split: str) -> Path:
    """Where the models of one data mode and split are saved."""
    return models_dir() / f"{mode}-{split}.npz"


def training_part(ratings: pd.DataFrame, split: str, settings: Settings) -> pd.DataFrame:
    """The ratings a split trains on."""
    train, _ = make_split(ratings, split, settings.split.test_fraction, settings.seed)
    return train


def inner_split(train: pd.DataFrame, split: str, settings: Settings) -> tuple[pd.DataFrame, ...]:
    """The validation hold-out inside a training part, made the way its split was."""
    fraction, seed = settings.tune.validation_fraction, settings.seed
    if split == "random":
        return random_split(train, fraction, seed)
    return time_split(train, fraction, seed)


def fit_all(
    data: Interactions,
    names: tuple[str, ...],
    settings: Settings,
    iterations: int | None = None,
    validation: Interactions | None = None,
    weights: np.ndarray | None = None,
) -> dict[str, Model]:
    """Fit the named models; MF and kNN start from the bias model.

    With a ``validation`` part, MF chooses its iteration count on it; without one, MF runs
    ``iterations``. The blend is attached to the parts and takes ``weights`` if given (else it
    is the bias model until :meth:`Blend.fit` sets its weights).
    """
    models: dict[str, Model] = {}
    for name in names:
        model = build(name, settings)
        bias = models.get("bias")
        start = bias if isinstance(bias, Bias) else None
        if isinstance(model, MatrixFactorization):
            if iterations is not None:
                model.iterations = iterations
            models[name] = model.fit(data, validation=validation, start=start)
        elif isinstance(model, ItemKNN):
            models[name] = model.fit(data, start=start)
        elif isinstance(model, Blend):
            model.attach(models)
            if weights is not None:
                model.weights = weights
            models[name] = model
        else:
            models[name] = model.fit(data)
    return models


def validation_ndcg(
    models: dict[str, Model],
    fit: Interactions,
    val: Interactions,
    val_items: np.ndarray,
    settings: Settings,
) -> dict[str, float]:
    """NDCG@k on the validation part for every ranked model."""
    evaluation = settings.evaluation
    users, relevant, _ = relevant_sets(val, evaluation.relevance_threshold, val_items)
    if not len(users):
        return {}
    seen = fit.matrix(binary=True)
    return {
        name: ranking_metrics(top_n(model, seen, users, evaluation.k), relevant)["ndcg"]
        for name, model in models.items()
        if name in RANKED
    }


def train_split(
    ratings: pd.DataFrame, split: str, settings: Settings
) -> tuple[Encoder, dict[str, Model], dict[str, Any]]:
    """Validate inside the training part, then fit on all of it; return what was chosen."""
    names = MODELS_BY_SPLIT[split]
    train = training_part(ratings, split, settings)
    fit_df, val_df = inner_split(train, split, settings)
    encoder = Encoder.fit(fit_df)
    fit, val = encoder.transform(fit_df), encoder.transform(val_df)
    validated = fit_all(fit, names, settings, validation=val)
    mf, blend = validated["mf"], validated["blend"]
    assert isinstance(mf, MatrixFactorization) and isinstance(blend, Blend)
    estimates = estimates_of(validated, val.users, val.items)  # each model once
    blend.fit(val, estimates)
    estimates["blend"] = blend.combine(estimates)
    selection: dict[str, Any] = {
        "validation_ratings": len(val_df),
        "mf_iterations": mf.best_iterations,
        "mf_validation_rmse": [round(float(x), 5) for x in mf.curve],
        "validation_rmse": {
            name: round(rmse(val.ratings, validated[name].clip(values)), 5)
            for name, values in estimates.items()
        },
        "blend_weights": [round(float(w), 5) for w in blend.weights],
    }
    if split == "time":
        scores = validation_ndcg(
            validated, fit, val, val_df["item_id"].to_numpy(dtype=str), settings
        )
        selection["validation_ndcg"] = scores
        ranked = [n for n in CANDIDATES if n in scores]
        selection["chosen"] = max(ranked, key=lambda n: scores[n]) if ranked else "ease"
    encoder = Encoder.fit(train)
    models = fit_all(
        encoder.transform(train),
        names,
        settings,
        iterations=mf.best_iterations,
        weights=blend.weights,
    )
    return encoder, models, selection


def run(args: argparse.Namespace) -> int:
    """Train everything for DATA=sample|full and save it under models/."""
    settings = load_config()
    mode = data_mode(args.data)
    dataset = load_dataset(mode, settings)
    print(f"data: {dataset.label}")
    for split, names in MODELS_BY_SPLIT.items():
        start = time.perf_counter()
        encoder, models, selection = train_split(dataset.ratings, split, settings)
        path = model_path(mode, split)
        save_models(path, encoder, models, meta=json.dumps(selection))
        chosen = (
            f"; top-N model by validation: {selection['chosen']}" if "chosen" in selection else ""
        )
        print(
            f"{split:>6} split: {', '.join(names)} in {time.perf_counter() - start:.1f} s; MF "
            f"{selection['mf_iterations']} iterations by validation{chosen} -> {shown(path)}"
        )
    return 0
