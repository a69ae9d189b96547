"""Grid search on a time-ordered validation split of the training part; write best_params.yaml.

The main split's test part is never touched: inside its training part, the last
``validation_fraction`` of each user's ratings (by time) is the validation set. The bias, MF
and item kNN parameters minimise validation RMSE (every kNN candidate from one pass over the
similarity statistics), each model tuned on top of the bias model just chosen; the blend's ridge
minimises the blend's RMSE in 5-fold cross-validation over the validation ratings (its weights
are fitted on those ratings, as ``make train`` fits them); EASE's regularisation maximises
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
from .models import MODELS, Bias, Blend, ItemKNN, build, estimates_of, params_of, top_n
from .paths import best_params_file, shown
from .settings import data_mode
from .split import Encoder, Interactions, time_split
from .train import fit_all

FOLDS = 5  # cross-validation folds over the validation ratings, for the blend's ridge


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


def knn_scores(
    candidates: list[dict[str, Any]], fit: Interactions, val: Interactions, settings: Settings
) -> list[float]:
    """Validation RMSE of item kNN with each candidate's parameters, on top of the configured
    bias model: the similarity statistics are computed once for all candidates, the neighbour
    sums once per (neighbours, shrinkage), and ``reg`` only divides them."""
    bias = build("bias", settings).fit(fit)
    assert isinstance(bias, Bias)
    shapes = {(c["neighbours"], c["shrinkage"]): c for c in candidates}
    models = ItemKNN.fit_many(
        [ItemKNN(**{**params_of("knn", settings), **c}) for c in shapes.values()], fit, bias
    )
    fitted = dict(zip(shapes, models, strict=True))
    sums = {key: model.neighbour_sums(val.users, val.items) for key, model in fitted.items()}
    scores = []
    for c in candidates:
        key = (c["neighbours"], c["shrinkage"])
        model = fitted[key]
        model.reg = c["reg"]  # used only when the sums are divided
        scores.append(rmse(val.ratings, model.clip(model.from_sums(*sums[key]))))
    return scores


def blend_scores(
    ridges: list[float], fit: Interactions, val: Interactions, settings: Settings, seed: int
) -> list[float]:
    """The blend's RMSE for each ridge in ``FOLDS``-fold cross-validation over the validation
    ratings: its parts fitted on ``fit`` as ``make train`` fits them, its weights on the other
    folds, its error on the fold left out."""
    parts = fit_all(fit, ("bias", "mf", "knn"), settings, validation=val)
    estimates = estimates_of(parts, val.users, val.items)
    fold = np.random.default_rng(seed).permutation(len(val.ratings)) % FOLDS
    scores = []
    for ridge in ridges:
        blend = Blend(ridge=ridge).attach(parts)
        predicted = np.empty(len(val.ratings))
        for k in range(FOLDS):
            inside, left_out = fold != k, fold == k
            train_part = Interactions(
                val.users[inside], val.items[inside], val.ratings[inside], val.n_users, val.n_items
            )
            blend.fit(train_part, {n: e[inside] for n, e in estimates.items()})
            predicted[left_out] = blend.clip(
                blend.combine({n: e[left_out] for n, e in estimates.items()})
            )
        scores.append(rmse(val.ratings, predicted))
    return scores


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
        candidates = grid(space)
        if name == "knn":
            scores = knn_scores(candidates, fit, val, settings)
        elif name == "blend":
            ridges = [c["ridge"] for c in candidates]
            scores = blend_scores(ridges, fit, val, settings, settings.seed)
        else:
            scores = [validation_score(name, p, fit, val, settings, val_items) for p in candidates]
        score, params = min(zip(scores, candidates, strict=True), key=lambda pair: pair[0])
        best[name] = params
        # Later models are tuned on top of these (kNN on the chosen biases, the blend on all).
        settings = settings.model_copy(
            update={name: getattr(settings, name).model_copy(update=params)}
        )
        metric = "RMSE" if MODELS[name].rates else f"NDCG@{settings.evaluation.k}"
        how = f" ({FOLDS}-fold cross-validation)" if name == "blend" else ""
        lines.append(
            f"# {name}: validation {metric}{how} {abs(score):.4f} over {len(scores)} candidates"
        )
        seconds = time.perf_counter() - start
        print(f"{name:>5}: {params} validation {metric}{how} {abs(score):.4f} ({seconds:.1f} s)")

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
