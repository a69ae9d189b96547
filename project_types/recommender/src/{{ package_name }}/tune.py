"""Grid search on a time-ordered validation split of the training part; write best_params.yaml.

The main split's test part is never touched: inside its training part, the last
``validation_fraction`` of each user's ratings (by time) is the validation set. The bias and MF
parameters minimise validation RMSE; EASE's regularisation maximises validation NDCG@k.
"""

from __future__ import annotations

import argparse
import itertools
import time
from typing import Any

import numpy as np
import yaml

from .config import Settings, load_config
from .data import load_dataset
from .metrics import ranking_metrics, relevant_sets, rmse
from .models import MODELS, params_of, top_n
from .paths import best_params_file, shown
from .settings import data_mode
from .split import Encoder, Interactions, time_split


def grid(space: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the listed values."""
    keys = list(space)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*space.values())]


def validation_score(
    name: str,
    params: dict[str, Any],
    fit: Interactions,
    val: Interactions,
    settings: Settings,
    val_items: np.ndarray,
) -> float:
    """Validation RMSE (rating models) or minus NDCG@k (EASE): lower is better.

    The candidate's values are laid over the configured ones (MF's seed, EASE's ``liked``
    threshold and item cap), so only the searched parameters differ.
    """
    model = MODELS[name](**{**params_of(name, settings), **params}).fit(fit)
    if model.rates:
        return rmse(val.ratings, model.predict(val.users, val.items))
    evaluation = settings.evaluation
    users, relevant, _ = relevant_sets(val, evaluation.relevance_threshold, val_items)
    lists = top_n(model, fit.matrix(binary=True), users, evaluation.k)
    return -ranking_metrics(lists, relevant)["ndcg"]


def run(args: argparse.Namespace) -> int:
    """Tune on DATA=sample|full and write configs/best_params.yaml."""
    # The search starts from the defaults: an earlier best_params.yaml must not bias it.
    settings = load_config(tuned=False)
    mode = data_mode(args.data)
    dataset = load_dataset(mode, settings)
    train, _ = time_split(dataset.ratings, settings.split.test_fraction, settings.seed)
    fit_df, val_df = time_split(train, settings.tune.validation_fraction, settings.seed)
    val_items = val_df["item_id"].to_numpy(dtype=str)
    encoder = Encoder.fit(fit_df)
    fit, val = encoder.transform(fit_df), encoder.transform(val_df)
    print(f"data: {dataset.label}; tuning on {len(fit_df)} ratings, validating on {len(val_df)}")

    best: dict[str, dict[str, Any]] = {}
    lines = []
    for name, space in settings.tune.grid.model_dump().items():
        start = time.perf_counter()
        scored = [
            (validation_score(name, p, fit, val, settings, val_items), p) for p in grid(space)
        ]
        score, params = min(scored, key=lambda pair: pair[0])
        best[name] = params
        metric = "RMSE" if MODELS[name].rates else f"NDCG@{settings.evaluation.k}"
        shown_score = abs(score)
        lines.append(
            f"# {name}: validation {metric} {shown_score:.4f} over {len(scored)} candidates"
        )
        seconds = time.perf_counter() - start
        print(f"{name:>5}: {params} validation {metric} {shown_score:.4f} ({seconds:.1f} s)")

    header = [
        "# Written by `make tune`; every step lays these over configs/default.yaml.",
        f"# Tuned on: {dataset.label} (training part of the time split only).",
        *lines,
    ]
    path = best_params_file()
    path.write_text(
        "\n".join(header) + "\n" + yaml.safe_dump(best, sort_keys=True), encoding="utf-8"
    )
    print(f"wrote {shown(path)}")
    return 0
