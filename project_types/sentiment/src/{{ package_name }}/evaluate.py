"""Evaluate the trained models on the held-out split; write eval/ and the README and model card.

Scores are shown on the training split, in stratified k-fold cross-validation on the training
split, and on the held-out test split, so over-fitting is visible. Accuracy on the test split is
the primary metric (IMDB is balanced); naive Bayes on the same features is the baseline and the
majority class shows chance level.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    RocCurveDisplay,
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from . import figures
from .config import Settings, load_config
from .data import LABEL_NAMES, Reviews, load_data
from .envelope import ModelResult, PrimaryMetric, SplitInfo, build_envelope, write_envelope
from .errors import NotTrainedError
from .features import clean_text
from .models import (
    BASELINE,
    MAIN,
    MODEL_NAMES,
    build_pipeline,
    display_name,
    model_params,
    positive_scores,
    top_features,
)
from .paths import eval_dir, models_dir, shown
from .report import markdown_table, write_reports
from .settings import DataMode, data_mode
from .train import check_trained_with, read_meta

METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc")
PRIMARY = PrimaryMetric("accuracy", "higher")
PACKAGES = ("scikit-learn", "numpy", "pandas", "matplotlib", "joblib", "pydantic")
FIGURES = {"confusion": "confusion_matrix.png", "roc": "roc_curve.png"}


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

    Cleaning is per document (nothing is learned), so it runs once; in each fold the TF-IDF and
    chi2 steps are fitted on that fold's training part only, and the models share them.
    """
    folds = min(config.evaluation.cv_folds, int(train["label"].value_counts().min()))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    pipelines = {name: build_pipeline(config, name) for name in MODEL_NAMES}
    text = pipelines[MAIN].named_steps["clean"].transform(train["text"])
    y = train["label"].to_numpy()
    per_fold: dict[str, list[dict[str, float]]] = {name: [] for name in MODEL_NAMES}
    for fit, val in cv.split(text, y):
        features = clone(Pipeline(pipelines[MAIN].steps[1:-1]))  # tfidf, select
        x_fit, x_val = features.fit_transform(text[fit], y[fit]), features.transform(text[val])
        for name, pipeline in pipelines.items():
            clf = clone(pipeline.steps[-1][1]).fit(x_fit, y[fit])
            per_fold[name].append(scores(y[val], clf.predict_proba(x_val)[:, 1]))
    return {
        name: {"folds": folds}
        | {
            m: {
                "mean": float(np.mean([f[m] for f in runs])),
                "std": float(np.std([f[m] for f in runs])),
            }
            for m in METRICS
        }
        for name, runs in per_fold.items()
    }


def misclassified(
    test: pd.DataFrame, y_score: np.ndarray, n: int, width: int = 200
) -> list[dict[str, Any]]:
    """The ``n`` most confident mistakes on the test split, with shortened cleaned text."""
    wrong = np.flatnonzero((y_score >= 0.5).astype(int) != test["label"].to_numpy())
    wrong = wrong[np.argsort(-np.abs(y_score[wrong] - 0.5), kind="stable")][:n]
    rows = []
    for i in wrong:
        text = clean_text(str(test["text"].iloc[i]), lowercase=False)
        rows.append(
            {
                "id": str(test["id"].iloc[i]),
                "true": LABEL_NAMES[int(test["label"].iloc[i])],
                "p_positive": round(float(y_score[i]), 3),
                "text": text if len(text) <= width else text[: width - 3] + "...",
            }
        )
    return rows


def plot_figures(
    config: Settings, test: pd.DataFrame, test_scores: dict[str, np.ndarray], label: str
) -> list[Path]:
    """Confusion matrix of the main model and ROC curves of the scored models, data stamped."""
    plt = figures.pyplot()
    y = test["label"].to_numpy()
    fig, ax = plt.subplots(figsize=(4.8, 4.4))
    ConfusionMatrixDisplay.from_predictions(
        y,
        (test_scores[MAIN] >= 0.5).astype(int),
        labels=[0, 1],
        display_labels=[LABEL_NAMES[0], LABEL_NAMES[1]],
        cmap="Blues",
        colorbar=False,
        ax=ax,
    )
    ax.set_title(f"{display_name(MAIN, config)}\ntest split", fontsize=10)
    written = [figures.save(fig, FIGURES["confusion"], label)]
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    for name in (BASELINE, MAIN):
        RocCurveDisplay.from_predictions(
            y, test_scores[name], name=display_name(name, config), ax=ax
        )
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
    ax.set_title("ROC curves, test split", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    written.append(figures.save(fig, FIGURES["roc"], label))
    return written


def results_table(envelope: dict[str, Any]) -> str:
    """Markdown table: train, CV and test scores of every model side by side."""
    cv = envelope["extras"]["cross_validation"]
    folds = cv[envelope["chosen_model"]]["folds"]
    header = ["Model", "Train acc.", f"CV acc. ({folds}-fold, train)", "Test acc."]
    header += ["Test precision", "Test recall", "Test F1", "Test ROC-AUC"]
    rows = []
    for name, model in envelope["models"].items():
        train, test = model["metrics"]["train"], model["metrics"]["test"]
        acc = cv[name]["accuracy"]
        rows.append(
            [model["label"], f"{train['accuracy']:.3f}"]
            + [f"{acc['mean']:.3f} ± {acc['std']:.3f}", f"{test['accuracy']:.3f}"]
            + [f"{test[k]:.3f}" for k in ("precision", "recall", "f1", "roc_auc")]
        )
    return markdown_table(header, rows)


def data_line(envelope: dict[str, Any]) -> str:
    """One sentence saying which data produced the numbers."""
    data, split = envelope["data"], envelope["split"]
    warning = " Fixture numbers only show that the pipeline runs." if data["fixture"] else ""
    return (
        f"Numbers from **{data['name']}** (`{data['source']}`, DATA={data['mode']}): "
        f"{data['description']}. Split: {split['protocol']}.{warning}"
    )


def verdict(envelope: dict[str, Any]) -> str:
    """The chosen model against the baseline on the primary metric."""
    models, metric = envelope["models"], envelope["primary_metric"]["name"]
    chosen, baseline = models[envelope["chosen_model"]], models[envelope["baseline"]]
    gain = chosen["metrics"]["test"][metric] - baseline["metrics"]["test"][metric]
    return (
        f"Primary metric: test {metric}. {chosen['label']}: "
        f"{chosen['metrics']['test'][metric]:.3f}, {gain:+.3f} against the baseline "
        f"({baseline['label']}: {baseline['metrics']['test'][metric]:.3f})."
    )


def confusion_table(matrix: list[list[int]]) -> str:
    """The main model's confusion matrix as a Markdown table."""
    return markdown_table(
        ["true \\ predicted", "negative", "positive"],
        [[LABEL_NAMES[i], str(matrix[i][0]), str(matrix[i][1])] for i in (0, 1)],
    )


def write_report(envelope: dict[str, Any], path: Path) -> None:
    """eval/report.md: scores, explanation (top n-grams) and the most confident mistakes."""
    extras = envelope["extras"]
    top = extras["top_features"]
    feature_rows = [
        [f"`{p[0]}` ({p[1]:+.2f})", f"`{n[0]}` ({n[1]:+.2f})"]
        for p, n in zip(top["positive"], top["negative"], strict=False)
    ]
    mistakes = [
        [r["id"], r["true"], f"{r['p_positive']:.3f}", r["text"].replace("|", "\\|")]
        for r in extras["misclassified"]
    ]
    chosen = envelope["models"][envelope["chosen_model"]]["label"]
    text = "\n\n".join(
        [
            "# Evaluation report",
            data_line(envelope),
            verdict(envelope),
            results_table(envelope),
            f"Confusion matrix of {chosen} on the test split:",
            confusion_table(extras["confusion_matrix"][envelope["chosen_model"]]),
            "![Confusion matrix](figures/confusion_matrix.png) ![ROC curves](figures/roc_curve.png)",
            (
                "## What the model learned\n\nThe n-grams with the largest weights towards each "
                f"class ({chosen}):"
            ),
            markdown_table(["towards positive", "towards negative"], feature_rows),
            "## Most confident mistakes on the test split",
            markdown_table(["review", "true label", "p(positive)", "text"], mistakes)
            if mistakes
            else "None: every test review was classified correctly.",
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")


def score_models(
    config: Settings, reviews: Reviews, directory: Path
) -> tuple[dict[str, ModelResult], dict[str, np.ndarray], dict[str, Any]]:
    """Every trained model's train and test scores (and CV on the training split)."""
    train, test = reviews.train, reviews.test
    cv = cross_validation(config, train)
    results: dict[str, ModelResult] = {}
    test_scores: dict[str, np.ndarray] = {}
    extras: dict[str, Any] = {"cross_validation": cv, "confusion_matrix": {}}
    for name in MODEL_NAMES:
        path = directory / f"{name}.joblib"
        if not path.is_file():
            raise NotTrainedError(f"{shown(path)} not found: run `make train` first")
        pipeline = joblib.load(path)
        test_scores[name] = positive_scores(pipeline, test["text"])
        y_pred = (test_scores[name] >= 0.5).astype(int)
        extras["confusion_matrix"][name] = confusion_matrix(
            test["label"], y_pred, labels=[0, 1]
        ).tolist()
        results[name] = ModelResult(
            label=display_name(name, config),
            params=model_params(config, name),  # the ones training used: checked on entry
            train=scores(train["label"].to_numpy(), positive_scores(pipeline, train["text"])),
            validation={m: cv[name][m]["mean"] for m in METRICS},
            test=scores(test["label"].to_numpy(), test_scores[name]),
        )
        if name == MAIN:
            extras["top_features"] = top_features(pipeline, config.evaluation.n_top_features)
    extras["misclassified"] = misclassified(
        test, test_scores[MAIN], config.evaluation.n_misclassified
    )
    return results, test_scores, extras


def evaluate(config: Settings, mode: DataMode, docs: bool = True) -> dict[str, Any]:
    """Score every trained model; write eval/ and, when ``docs``, the README and model card."""
    check_trained_with(read_meta(models_dir(), mode), config)  # trained, on this data
    reviews = load_data(config, mode)
    results, test_scores, extras = score_models(config, reviews, models_dir())
    folds = extras["cross_validation"][MAIN]["folds"]
    extras["labels"] = {"0": LABEL_NAMES[0], "1": LABEL_NAMES[1]}
    extras["class_counts"] = reviews.counts()
    envelope = build_envelope(
        data=reviews.info(),
        split=SplitInfo(
            protocol=(
                f"{reviews.split}; validation = mean of stratified {folds}-fold "
                "cross-validation on the training split"
            ),
            train_size=len(reviews.train),
            test_size=len(reviews.test),
        ),
        primary=PRIMARY,
        baseline=BASELINE,
        chosen=MAIN,
        models=results,
        extras=extras,
        packages=PACKAGES,
    )
    write_envelope(envelope)
    plot_figures(config, reviews.test, test_scores, reviews.label())
    write_report(envelope, eval_dir() / "report.md")
    if docs:
        top = extras["top_features"]
        words = ", ".join(f"`{w}`" for w, _ in top["positive"][:8])
        neg_words = ", ".join(f"`{w}`" for w, _ in top["negative"][:8])
        table = results_table(envelope)
        block = "\n\n".join(
            [
                data_line(envelope),
                verdict(envelope),
                table,
                f"Strongest positive n-grams: {words}. Strongest negative: {neg_words}.",
                "![Confusion matrix](eval/figures/confusion_matrix.png)",
                "Details, ROC curves and the most confident mistakes: [eval/report.md](eval/report.md).",
            ]
        )
        card = "\n\n".join([data_line(envelope), verdict(envelope), table])
        write_reports(readme={"results": block}, model_card={"metrics": card})
    return envelope


def run(args: argparse.Namespace) -> int:
    """Evaluate on the data chosen by ``--data`` or ``$DATA`` and print the results table."""
    envelope = evaluate(load_config(), data_mode(args.data))
    print(data_line(envelope))
    print(verdict(envelope))
    print(results_table(envelope))
    print("Wrote eval/metrics.json, eval/report.md, eval/figures/, README.md and MODEL_CARD.md")
    return 0
