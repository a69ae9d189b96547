"""Evaluate the trained models on the held-out split; write eval/ and the README/model card.

Scores are shown on the training split, in stratified k-fold cross-validation on the training
split, and on the held-out test split, so over-fitting is visible.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import joblib
import matplotlib
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    RocCurveDisplay,
    accuracy_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from .config import EVAL_DIR, MODELS_DIR, PROJECT_ROOT, data_mode, load_config
from .data import LABEL_NAMES, load_splits
from .features import clean_text
from .models import MODEL_NAMES, build_pipeline, positive_scores, top_features
from .report import markdown_table, replace_between_markers

matplotlib.use("Agg")
import matplotlib.pyplot as plt

METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc")
LABELS = {
    "majority": "Majority class (baseline)",
    "naive_bayes": "Naive Bayes (baseline)",
    "model": "TF-IDF + {kind}",
}


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


def cross_validation(config: dict[str, Any], train: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Stratified k-fold CV of every model on the training split: mean and std per metric.

    Cleaning is per document (nothing is learned), so it runs once; in each fold the TF-IDF and
    chi2 steps are fitted on that fold's training part only, and the models share them.
    """
    folds = min(config["evaluation"]["cv_folds"], int(train["label"].value_counts().min()))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config["seed"])
    pipelines = {name: build_pipeline(config, name) for name in MODEL_NAMES}
    text = pipelines["model"].named_steps["clean"].transform(train["text"])
    y = train["label"].to_numpy()
    per_fold: dict[str, list[dict[str, float]]] = {name: [] for name in MODEL_NAMES}
    for fit, val in cv.split(text, y):
        features = clone(Pipeline(pipelines["model"].steps[1:-1]))  # tfidf, select
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


def plot_figures(test: pd.DataFrame, test_scores: dict[str, np.ndarray], figures: Path) -> None:
    """Confusion matrix of the main model and ROC curves of the scored models."""
    figures.mkdir(parents=True, exist_ok=True)
    y = test["label"].to_numpy()
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ConfusionMatrixDisplay.from_predictions(
        y,
        (test_scores["model"] >= 0.5).astype(int),
        labels=[0, 1],
        display_labels=[LABEL_NAMES[0], LABEL_NAMES[1]],
        cmap="Blues",
        colorbar=False,
        ax=ax,
    )
    ax.set_title("Main model, test split")
    fig.tight_layout()
    fig.savefig(figures / "confusion_matrix.png", dpi=120)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(4.5, 4))
    for name in ("naive_bayes", "model"):
        RocCurveDisplay.from_predictions(y, test_scores[name], name=name, ax=ax)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
    ax.set_title("ROC, test split")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(figures / "roc_curve.png", dpi=120)
    plt.close(fig)


def results_table(metrics: dict[str, Any]) -> str:
    """Markdown table: train, CV and test scores of every model side by side."""
    folds = metrics["models"]["model"]["cv"]["folds"]
    header = ["Model", "Train acc.", f"CV acc. ({folds}-fold, train)", "Test acc."]
    header += ["Test precision", "Test recall", "Test F1", "Test ROC-AUC"]
    rows = []
    for name, m in metrics["models"].items():
        cv = m["cv"]["accuracy"]
        test = m["test"]
        rows.append(
            [metrics["labels"][name], f"{m['train']['accuracy']:.3f}"]
            + [f"{cv['mean']:.3f} ± {cv['std']:.3f}", f"{test['accuracy']:.3f}"]
            + [f"{test[k]:.3f}" for k in ("precision", "recall", "f1", "roc_auc")]
        )
    return markdown_table(header, rows)


def data_line(metrics: dict[str, Any]) -> str:
    """One sentence saying which data produced the numbers."""
    return (
        f"Numbers from **{metrics['data']}**: {metrics['n_train']} training and "
        f"{metrics['n_test']} held-out test reviews (`make evaluate DATA={metrics['data_mode']}`)."
    )


def write_report(metrics: dict[str, Any], path: Path) -> None:
    """eval/report.md: scores, explanation (top n-grams) and the most confident mistakes."""
    top = metrics["top_features"]
    feature_rows = [
        [f"`{p[0]}` ({p[1]:+.2f})", f"`{n[0]}` ({n[1]:+.2f})"]
        for p, n in zip(top["positive"], top["negative"], strict=False)
    ]
    mistakes = [
        [r["id"], r["true"], f"{r['p_positive']:.3f}", r["text"].replace("|", "\\|")]
        for r in metrics["misclassified"]
    ]
    text = "\n\n".join(
        [
            "# Evaluation report",
            data_line(metrics),
            results_table(metrics),
            "![Confusion matrix](figures/confusion_matrix.png) ![ROC curves](figures/roc_curve.png)",
            (
                "## What the model learned\n\nThe n-grams with the largest weights towards each "
                "class (main model coefficients):"
            ),
            markdown_table(["towards positive", "towards negative"], feature_rows),
            "## Most confident mistakes on the test split",
            markdown_table(["review", "true label", "p(positive)", "text"], mistakes)
            if mistakes
            else "None: every test review was classified correctly.",
        ]
    )
    path.write_text(text + "\n", encoding="utf-8")


def evaluate(
    config: dict[str, Any],
    mode: str,
    models_dir: Path = MODELS_DIR,
    eval_dir: Path = EVAL_DIR,
    docs_dir: Path | None = PROJECT_ROOT,
) -> dict[str, Any]:
    """Score every trained model, write eval/ and, when ``docs_dir`` is set, its README and card."""
    meta_path = models_dir / "meta.json"
    if not meta_path.is_file():
        raise SystemExit(f"{meta_path} not found: run `make train` first")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta["data_mode"] != mode:
        raise SystemExit(
            f"the models were trained with DATA={meta['data_mode']}: run `make train DATA={mode}`"
        )
    train, test = load_splits(config, mode)
    labels = {**LABELS, "model": LABELS["model"].format(kind=config["model"]["kind"])}
    metrics: dict[str, Any] = {
        "data": meta["data"],
        "data_mode": mode,
        "n_train": len(train),
        "n_test": len(test),
        "labels": labels,
        "models": {},
    }
    cv = cross_validation(config, train)
    test_scores = {}
    for name in MODEL_NAMES:
        pipeline = joblib.load(models_dir / f"{name}.joblib")
        test_scores[name] = positive_scores(pipeline, test["text"])
        metrics["models"][name] = {
            "train": scores(train["label"].to_numpy(), positive_scores(pipeline, train["text"])),
            "cv": cv[name],
            "test": scores(test["label"].to_numpy(), test_scores[name]),
        }
        if name == "model":
            n = config["evaluation"]["n_top_features"]
            metrics["top_features"] = top_features(pipeline, n)
    metrics["misclassified"] = misclassified(
        test, test_scores["model"], config["evaluation"]["n_misclassified"]
    )
    eval_dir.mkdir(parents=True, exist_ok=True)
    (eval_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    plot_figures(test, test_scores, eval_dir / "figures")
    write_report(metrics, eval_dir / "report.md")
    if docs_dir is not None:
        top = metrics["top_features"]
        words = ", ".join(f"`{w}`" for w, _ in top["positive"][:8])
        neg_words = ", ".join(f"`{w}`" for w, _ in top["negative"][:8])
        results = "\n\n".join(
            [
                data_line(metrics),
                results_table(metrics),
                f"Strongest positive n-grams: {words}. Strongest negative: {neg_words}.",
                "![Confusion matrix](eval/figures/confusion_matrix.png)",
                "Details, ROC curves and the most confident mistakes: [eval/report.md](eval/report.md).",
            ]
        )
        replace_between_markers(docs_dir / "README.md", "results", results)
        card = "\n\n".join([data_line(metrics), results_table(metrics)])
        replace_between_markers(docs_dir / "MODEL_CARD.md", "metrics", card)
    return metrics


def main(argv: list[str] | None = None) -> None:
    """Evaluate on the data chosen by ``--data`` or ``$DATA`` and print the results table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["sample", "full"], help="data mode (default: $DATA)")
    args = parser.parse_args(argv)
    metrics = evaluate(load_config(), data_mode(args.data))
    print(data_line(metrics))
    print(results_table(metrics))
    print("Wrote eval/metrics.json, eval/report.md, eval/figures/, README.md and MODEL_CARD.md")


if __name__ == "__main__":
    main()
