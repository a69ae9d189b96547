"""Grid search on a time-ordered validation split of the training part; write best_params.yaml.

The main split's test part is never touched: inside its training part, the last
``validation_fraction`` of each user's ratings (by time) is the validation set. The bias and MF
parameters minimise validation RMSE; item kNN's and the blend's ridge are searched together and
minimise the blend's RMSE (the rating model put forward) in cross-validation over the validation
ratings, on top of the bias and MF parameters just chosen; EASE's regularisation maximises
validation NDCG@k.
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
from .models import MODELS, Bias, Blend, ItemKNN, estimates_of, params_of, top_n
from .paths import best_params_file, shown
from .settings import data_mode
from .split import Encoder, Interactions, time_split
from .train import fit_all

FOLDS = 5  # the blend's weights are fitted on the validation ratings: cross-validate there


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


def cross_validated_rmse(
    blend: Blend, x: np.ndarray, ratings: np.ndarray, fold: np.ndarray
) -> float:
    """The blend's RMSE on ratings whose :meth:`Blend.features` are ``x``, each fold predicted
    by weights fitted on the other folds."""
    predicted = np.empty(len(ratings))
    for k in np.unique(fold):
        inside, left_out = fold != k, fold == k
        blend.fit_features(x[inside], ratings[inside])
        predicted[left_out] = blend.clip(x[left_out] @ blend.weights)
    return rmse(ratings, predicted)


def knn_blend_scores(
    candidates: list[dict[str, Any]],
    ridges: list[float],
    fit: Interactions,
    val: Interactions,
    settings: Settings,
) -> np.ndarray:
    """The blend's cross-validated RMSE for each kNN candidate (rows) and ridge (columns).

    kNN serves the blend, so it is judged by the blend's error: bias and MF are fitted on
    ``fit`` as ``make train`` fits them (MF's iterations chosen on ``val``), the blend's weights
    in ``FOLDS``-fold cross-validation over ``val``. The kNN similarity statistics are computed
    once for all candidates, the neighbour sums once per (neighbours, shrinkage), and ``reg``
    only divides them.
    """
    parts = fit_all(fit, ("bias", "mf"), settings, validation=val)
    bias = parts["bias"]
    assert isinstance(bias, Bias)
    estimates = estimates_of(parts, val.users, val.items)
    shapes = {(c["neighbours"], c["shrinkage"]): c for c in candidates}
    models = ItemKNN.fit_many(
        [ItemKNN(**{**params_of("knn", settings), **c}) for c in shapes.values()], fit, bias
    )
    fitted = dict(zip(shapes, models, strict=True))
    sums = {key: model.neighbour_sums(val.users, val.items) for key, model in fitted.items()}
    fold = np.random.default_rng(settings.seed).permutation(len(val.ratings)) % FOLDS
    scores = np.empty((len(candidates), len(ridges)))
    for row, c in enumerate(candidates):
        key = (c["neighbours"], c["shrinkage"])
        knn = fitted[key]
        knn.reg = c["reg"]  # used only when the sums are divided
        blend = Blend().attach({**parts, "knn": knn})
        x = blend.features({**estimates, "knn": knn.from_sums(*sums[key])})
        for column, ridge in enumerate(ridges):
            blend.ridge = ridge
            scores[row, column] = cross_validated_rmse(blend, x, val.ratings, fold)
    return scores


def tune_model(
    name: str, fit: Interactions, val: Interactions, settings: Settings, val_items: np.ndarray
) -> tuple[dict[str, dict[str, Any]], str]:
    """The best of one model's grid by :func:`validation_score`, and how it scored."""
    candidates = grid(getattr(settings.tune.grid, name).model_dump())
    scores = [validation_score(name, p, fit, val, settings, val_items) for p in candidates]
    index = int(np.argmin(scores))
    metric = "RMSE" if MODELS[name].rates else f"NDCG@{settings.evaluation.k}"
    return (
        {name: candidates[index]},
        f"validation {metric} {abs(scores[index]):.4f} over {len(scores)} candidates",
    )


def tune_knn_and_blend(
    fit: Interactions, val: Interactions, settings: Settings
) -> tuple[dict[str, dict[str, Any]], str]:
    """The kNN parameters and blend ridge with the lowest :func:`knn_blend_scores`."""
    candidates, ridges = grid(settings.tune.grid.knn.model_dump()), settings.tune.grid.blend.ridge
    table = knn_blend_scores(candidates, ridges, fit, val, settings)
    row, column = np.unravel_index(int(np.argmin(table)), table.shape)
    return (
        {"knn": candidates[row], "blend": {"ridge": ridges[column]}},
        (
            f"the blend's validation RMSE ({FOLDS}-fold cross-validation) "
            f"{table[row, column]:.4f} over {table.size} candidates"
        ),
    )


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
    for step in ("bias", "mf", "knn", "ease"):
        start = time.perf_counter()
        if step == "knn":
            chosen, what = tune_knn_and_blend(fit, val, settings)
        else:
            chosen, what = tune_model(step, fit, val, settings, val_items)
        # Later steps build on these (kNN and the blend on the biases and MF just chosen).
        for name, params in chosen.items():
            best[name] = params
            section = getattr(settings, name).model_copy(update=params)
            settings = settings.model_copy(update={name: section})
        names = " + ".join(chosen)
        lines.append(f"# {names}: {what}")
        shown_params = "; ".join(f"{name} {params}" for name, params in chosen.items())
        print(f"{names}: {shown_params}; {what} ({time.perf_counter() - start:.1f} s)")

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
