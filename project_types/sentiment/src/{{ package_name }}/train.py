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
    interpolate,
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

    Each candidate is scored on every feature set (``nb_logreg`` also with every ``nb_beta``, which
    costs no fit: :func:`models.interpolate`) and keeps the variant with the best mean accuracy
    (the first listed wins ties); ``feature_set`` and ``nb_beta`` record it, ``by_feature_set``
    the best mean accuracy on each set. Cleaning is per document (nothing is learned), so it runs
    once; in each fold the TF-IDF and chi2 steps are fitted on that fold's training part only.
    """
    names, size = model_names(config), Size.of(train["text"])
    sets = feature_sets(config, size)
    folds = min(config.evaluation.cv_folds, int(train["label"].value_counts().min()))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    text = feature_steps(config, size)[0][1].transform(train["text"])
    y = train["label"].to_numpy()
    per_fold: dict[tuple[str, str, float], list[dict[str, float]]] = {
        (name, s, beta): []
        for name in names
        for s in sets
        if s == sets[0] or name not in REFERENCES
        for beta in (config.model.nb_beta if name == "nb_logreg" else [1.0])
    }
    for fit, val in cv.split(text, y):
        for feature_set in sets:
            features = Pipeline(feature_steps(config, size, feature_set)[1:])
            x_fit, x_val = features.fit_transform(text[fit], y[fit]), features.transform(text[val])
            for name in names:
                head = None
                for key, runs in per_fold.items():
                    if key[:2] == (name, feature_set):
                        if head is None:
                            head = build_head(config, name).fit(x_fit, y[fit])
                        variant = interpolate(head, key[2]) if name == "nb_logreg" else head
                        runs.append(scores(y[val], variant.predict_proba(x_val)[:, 1]))
    summary: dict[tuple[str, str, float], dict[str, Any]] = {
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
        tried = [key for key in summary if key[0] == name]  # in order: sets, then weights
        best = max(tried, key=lambda k: (summary[k][PRIMARY]["mean"], -tried.index(k)))
        by_set = {
            s: max(summary[k][PRIMARY]["mean"] for k in tried if k[1] == s)
            for s in dict.fromkeys(k[1] for k in tried)
        }
        chosen: dict[str, Any] = {"feature_set": best[1], "by_feature_set": by_set}
        if name == "nb_logreg":
            chosen["nb_beta"] = best[2]
        result[name] = summary[best] | chosen
    return result


def choose(config: Settings, cv: dict[str, dict[str, Any]]) -> str:
    """The candidate with the best mean CV accuracy; the first listed wins a tie."""
    candidates = config.model.candidates
    return max(candidates, key=lambda name: (cv[name][PRIMARY]["mean"], -candidates.index(name)))


def fit_all(
    config: Settings, train: pd.DataFrame, cv: dict[str, dict[str, Any]]
) -> tuple[dict[str, Pipeline], dict[str, float]]:
    """Every model fitted on the whole training split as its CV chose, each feature set once."""
    y, size = train["label"].to_numpy(), Size.of(train["text"])
    chosen_sets = {name: result["feature_set"] for name, result in cv.items()}
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
        if "nb_beta" in cv[name]:
            head = interpolate(head, cv[name]["nb_beta"])
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
    pipelines, seconds = fit_all(config, reviews.train, cv)
    for name, pipeline in pipelines.items():
        joblib.dump(pipeline, directory / f"{name}.joblib")
    meta = {
        "data_mode": mode,
        "data": reviews.describe(),
        "n_train": len(reviews.train),
        "chosen": chosen,
        "feature_sets": {name: result["feature_set"] for name, result in cv.items()},
        "nb_beta": cv["nb_logreg"]["nb_beta"] if "nb_logreg" in cv else None,
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
        on += f", beta {result['nb_beta']:g}" if "nb_beta" in result else ""
        also = "".join(f"; {s} {a:.3f}" for s, a in tried.items() if s != result["feature_set"])
        mark = "  <- chosen" if name == meta["chosen"] else ""
        print(
            f"  {name:<12} CV accuracy {acc['mean']:.3f} ± {acc['std']:.3f}{on}{also}, fitted in "
            f"{secs:.2f} s -> models/{name}.joblib{mark}"
        )
    name = meta["chosen"]
    beta = meta["nb_beta"] if name == "nb_logreg" else 1.0
    chosen = display_name(name, meta["feature_sets"][name], beta)
    print(f"The model: {chosen} (best CV accuracy among the candidates; min_df {meta['min_df']})")
    return 0
