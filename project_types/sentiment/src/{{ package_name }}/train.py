"""Cross-validate every model on the training split, keep the best candidate, fit all and save them.

The choice of "the model" is made here, inside the training data (stratified k-fold), never on
the test split; the naive Bayes baseline and the majority class are reported but never chosen.
Each candidate is cross-validated on every feature set (:func:`models.feature_sets`) and keeps its
best; the references use the first. Each feature set is fitted once per fold and shared by every
model, and so are the final ones.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from .artifacts import check_params
from .config import Settings, load_config
from .data import load_data
from .errors import NotTrainedError
from .models import (
    MAJORITY,
    REFERENCES,
    Size,
    build_head,
    display_name,
    feature_sets,
    feature_steps,
    min_df,
    model_names,
    model_params,
)
from .paths import models_dir
from .settings import data_mode

METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc")
PRIMARY = "accuracy"


def scores(y_true: np.ndarray, y_score: np.ndarray) -> dict[str, float]:
    """Accuracy, precision, recall and F1 of the positive class at 0.5, and ROC-AUC."""
    y_pred = (y_score >= 0.5).astype(int)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "precision": float(precision_score(y_true, y_pred, zero_division=0)),
        "recall": float(recall_score(y_true, y_pred, zero_division=0)),
        "f1": float(f1_score(y_true, y_pred, zero_division=0)),
        "roc_auc": float(roc_auc_score(y_true, y_score)),
    }


def cross_validation(config: Settings, train: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Stratified k-fold CV of every model on the training split: mean and std per metric.

    Each candidate is scored on every feature set and keeps the one with the best mean accuracy
    (the first wins ties: it is the cheaper); ``feature_set`` records it, ``by_feature_set`` the
    mean accuracy of each. Cleaning is per document (nothing is learned), so it runs once; in each
    fold the TF-IDF and chi2 steps are fitted on that fold's training part only.
    """
    names, size = model_names(config), Size.of(train["text"])
    sets = feature_sets(config, size)
    folds = min(config.evaluation.cv_folds, int(train["label"].value_counts().min()))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    text = feature_steps(config, size)[0][1].transform(train["text"])
    y = train["label"].to_numpy()
    per_fold: dict[tuple[str, str], list[dict[str, float]]] = {
        (name, s): [] for name in names for s in sets if s == sets[0] or name not in REFERENCES
    }
    for fit, val in cv.split(text, y):
        for feature_set in sets:
            features = Pipeline(feature_steps(config, size, feature_set)[1:])
            x_fit, x_val = features.fit_transform(text[fit], y[fit]), features.transform(text[val])
            for name in names:
                if (name, feature_set) in per_fold:
                    head = build_head(config, name).fit(x_fit, y[fit])
                    per_fold[name, feature_set].append(
                        scores(y[val], head.predict_proba(x_val)[:, 1])
                    )
    summary: dict[tuple[str, str], dict[str, Any]] = {
        key: {"folds": folds}
        | {
            m: {
                "mean": float(np.mean([f[m] for f in runs])),
                "std": float(np.std([f[m] for f in runs])),
            }
            for m in METRICS
        }
        for key, runs in per_fold.items()
    }
    result = {}
    for name in names:
        tried = {s: summary[name, s][PRIMARY]["mean"] for s in sets if (name, s) in summary}
        best = max(tried, key=lambda s: (tried[s], -sets.index(s)))
        result[name] = summary[name, best] | {"feature_set": best, "by_feature_set": tried}
    return result


def choose(config: Settings, cv: dict[str, dict[str, Any]]) -> str:
    """The candidate with the best mean CV accuracy; the first listed wins a tie."""
    candidates = config.model.candidates
    return max(candidates, key=lambda name: (cv[name][PRIMARY]["mean"], -candidates.index(name)))


def fit_all(
    config: Settings, train: pd.DataFrame, chosen_sets: dict[str, str]
) -> tuple[dict[str, Pipeline], dict[str, float]]:
    """Every model fitted on the whole training split on its feature set, each set fitted once."""
    y, size = train["label"].to_numpy(), Size.of(train["text"])
    fitted: dict[str, tuple[Pipeline, Any, float]] = {}
    for feature_set in dict.fromkeys(chosen_sets[name] for name in chosen_sets if name != MAJORITY):
        start = time.perf_counter()
        features = Pipeline(feature_steps(config, size, feature_set))
        x = features.fit_transform(train["text"], y)
        fitted[feature_set] = (features, x, time.perf_counter() - start)
    pipelines, seconds = {}, {}
    for name in model_names(config):
        start = time.perf_counter()
        if name == MAJORITY:
            pipelines[name] = Pipeline([("clf", build_head(config, name).fit(train["text"], y))])
            seconds[name] = round(time.perf_counter() - start, 2)
            continue
        features, x, feature_seconds = fitted[chosen_sets[name]]
        head = build_head(config, name).fit(x, y)
        pipelines[name] = Pipeline([*features.steps, ("clf", head)])
        seconds[name] = round(time.perf_counter() - start + feature_seconds, 2)
    return pipelines, seconds


def train(config: Settings, mode: str, directory: Path | None = None) -> dict[str, Any]:
    """Cross-validate, choose, fit every model on the training split; write models/ and meta.json."""
    reviews = load_data(config, mode)
    directory = directory or models_dir()
    directory.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    cv = cross_validation(config, reviews.train)
    cv_seconds = round(time.perf_counter() - start, 2)
    chosen = choose(config, cv)
    chosen_sets = {name: result["feature_set"] for name, result in cv.items()}
    pipelines, seconds = fit_all(config, reviews.train, chosen_sets)
    for name, pipeline in pipelines.items():
        joblib.dump(pipeline, directory / f"{name}.joblib")
    meta = {
        "data_mode": mode,
        "data": reviews.describe(),
        "n_train": len(reviews.train),
        "chosen": chosen,
        "feature_sets": chosen_sets,
        "min_df": min_df(config, Size.of(reviews.train["text"])),
        "cross_validation": cv,
        "params": {name: model_params(config, name) for name in pipelines},
        "fit_seconds": seconds,
        "cv_seconds": cv_seconds,
    }
    (directory / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def check_trained_with(meta: dict[str, Any], config: Settings) -> None:
    """Refuse models trained with other parameters than the configuration now holds.

    Evaluation reports the configuration's parameters, so they must be the ones the saved
    models were trained with.
    """
    saved = meta.get("params", {})
    if sorted(saved) != sorted(model_names(config)):
        raise NotTrainedError(
            f"the models trained are {', '.join(sorted(saved))}, the configuration now lists "
            f"{', '.join(sorted(model_names(config)))}: run `make train` again"
        )
    check_params(meta, {name: model_params(config, name) for name in model_names(config)})


def run(args: argparse.Namespace) -> int:
    """Train on the data chosen by ``--data`` or ``$DATA``."""
    config = load_config()
    meta = train(config, data_mode(args.data))
    print(f"Trained on {meta['data']}")
    folds = meta["cross_validation"][meta["chosen"]]["folds"]
    print(f"  {folds}-fold cross-validation on the training split: {meta['cv_seconds']:.1f} s")
    for name, secs in meta["fit_seconds"].items():
        result = meta["cross_validation"][name]
        acc = result[PRIMARY]
        tried = result["by_feature_set"]
        on = f" on {result['feature_set']}" if len(tried) > 1 else ""
        also = "".join(f"; {s} {a:.3f}" for s, a in tried.items() if s != result["feature_set"])
        mark = "  <- chosen" if name == meta["chosen"] else ""
        print(
            f"  {name:<12} CV accuracy {acc['mean']:.3f} ± {acc['std']:.3f}{on}{also}, fitted in "
            f"{secs:.2f} s -> models/{name}.joblib{mark}"
        )
    chosen = display_name(meta["chosen"], meta["feature_sets"][meta["chosen"]])
    print(f"The model: {chosen} (best CV accuracy among the candidates; min_df {meta['min_df']})")
    return 0
