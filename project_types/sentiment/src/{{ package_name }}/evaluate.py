"""Evaluate the trained models on the held-out split; write eval/ and the README and model card.

Scores are shown on the training split, in stratified k-fold cross-validation on the training
split (run by training, which chose the model with it), and on the held-out test split, so
over-fitting is visible. Accuracy on the test split is the primary metric; naive Bayes on the same
features is the baseline and the majority class shows chance level. When the baseline beats the
chosen model on the test split, every report says so.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay, confusion_matrix

from . import figures
from .artifacts import read_meta
from .config import Settings, load_config
from .data import LABEL_NAMES, Reviews, load_data
from .envelope import ModelResult, PrimaryMetric, SplitInfo, build_envelope, write_envelope
from .errors import NotTrainedError
from .features import clean_text
from .models import (
    BASELINE,
    MAJORITY,
    display_name,
    model_names,
    model_params,
    positive_scores,
    top_features,
)
from .paths import eval_dir, models_dir, shown
from .report import data_line, markdown_table, write_results
from .settings import DataMode, data_mode
from .train import METRICS, check_trained_with, scores

PRIMARY = PrimaryMetric("accuracy", "higher")
PACKAGES = (
    "scikit-learn",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "matplotlib",
    "joblib",
    "pydantic",
)
IMDB_REFERENCE = (
    "Published linear baselines on the same 25k/25k split, for reference: bigram SVM 0.892, "
    "NBSVM-bi 0.912 accuracy (Wang and Manning, 2012)."
)
FIGURES = {"confusion": "confusion_matrix.png", "roc": "roc_curve.png"}


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
    test: pd.DataFrame,
    test_scores: dict[str, np.ndarray],
    chosen: str,
    label: str,
    names: dict[str, str],
) -> list[Path]:
    """Confusion matrix of the chosen model and ROC curves of it and the baseline, data stamped."""
    plt = figures.pyplot()
    y = test["label"].to_numpy()
    fig, ax = plt.subplots(figsize=(4.8, 4.4))
    ConfusionMatrixDisplay.from_predictions(
        y,
        (test_scores[chosen] >= 0.5).astype(int),
        labels=[0, 1],
        display_labels=[LABEL_NAMES[0], LABEL_NAMES[1]],
        cmap="Blues",
        colorbar=False,
        ax=ax,
    )
    ax.set_title(f"{names[chosen]}\ntest split", fontsize=10)
    written = [figures.save(fig, FIGURES["confusion"], label)]
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    for name in (BASELINE, chosen):
        RocCurveDisplay.from_predictions(y, test_scores[name], name=names[name], ax=ax)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
    ax.set_xlabel("False positive rate")
    ax.set_ylabel("True positive rate")
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
        label = (
            f"**{model['label']}** (chosen)" if name == envelope["chosen_model"] else model["label"]
        )
        rows.append(
            [label, f"{train['accuracy']:.3f}"]
            + [f"{acc['mean']:.3f} ± {acc['std']:.3f}", f"{test['accuracy']:.3f}"]
            + [f"{test[k]:.3f}" for k in ("precision", "recall", "f1", "roc_auc")]
        )
    return markdown_table(header, rows)


def verdict(envelope: dict[str, Any]) -> str:
    """The chosen model against the baseline on the primary metric, said plainly either way."""
    models, metric = envelope["models"], envelope["primary_metric"]["name"]
    chosen, baseline = models[envelope["chosen_model"]], models[envelope["baseline"]]
    ours, theirs = chosen["metrics"]["test"][metric], baseline["metrics"]["test"][metric]
    candidates = [models[name]["label"] for name in envelope["extras"]["candidates"]]
    how = (
        f"chosen among {'; '.join(candidates)} by cross-validation on the training split"
        if len(candidates) > 1
        else "the only candidate"
    )
    line = (
        f"Primary metric: test {metric}. The model, {chosen['label']} ({how}): {ours:.3f}, "
        f"{ours - theirs:+.3f} against the baseline ({baseline['label']}: {theirs:.3f})."
    )
    if theirs > ours:
        line += (
            f" **The baseline beat the model on the test split**: on this data, use "
            f"{baseline['label']}, or tune the model (`make tune`)."
        )
    return line


def data_section(envelope: dict[str, Any], imdb: bool, full_source: str) -> str:
    """The README's and model card's data paragraph, about the data actually used."""
    data = envelope["data"]
    counts = envelope["extras"]["class_counts"]
    files = f"{data['files']} file{'s' if data['files'] != 1 else ''}"
    text = [
        (
            f"**{data['name']}**, read from `{data['source']}` (DATA={data['mode']}; {files}, "
            f"SHA-256 `{data['sha256'][:12]}...`)."
        ),
        f"Counted from the data: {data['description']}.",
        f"Read as {envelope['extras']['read_as']}.",
    ]
    if imdb:
        text.append(
            "The Large Movie Review Dataset v1.0 (Maas et al., 2011): IMDB reviews, positive at a "
            "rating >= 7/10 and negative at <= 4/10, at most 30 reviews per movie, no movie in both "
            "splits. Downloaded from its source, never redistributed; cite the paper."
        )
    elif data["fixture"]:
        text.append(
            "It is a FIXTURE written for this project's tests in the IMDB layout, not real data; "
            f"`make data` and `DATA=full` run on the full data, `data.full` in "
            f"configs/default.yaml (now `{full_source}`)."
        )
    positive = sum(c["positive"] for c in counts.values())
    share = positive / max(1, sum(c["positive"] + c["negative"] for c in counts.values()))
    if not 0.35 <= share <= 0.65:
        text.append("The classes are imbalanced: read precision, recall and F1, not only accuracy.")
    return " ".join(text) + " See [data/README.md](data/README.md) for the datasheet."


def confusion_table(matrix: list[list[int]]) -> str:
    """The chosen model's confusion matrix as a Markdown table."""
    return markdown_table(
        ["true \\ predicted", "negative", "positive"],
        [[LABEL_NAMES[i], str(matrix[i][0]), str(matrix[i][1])] for i in (0, 1)],
    )


def fairness_section(envelope: dict[str, Any]) -> str:
    """What the data allows: class balance and the chosen model's errors per class."""
    extras, chosen = envelope["extras"], envelope["chosen_model"]
    counts = extras["class_counts"]
    matrix = extras["confusion_matrix"][chosen]  # rows: true negative, positive
    rows = []
    for index, name in LABEL_NAMES.items():
        support, predicted = sum(matrix[index]), matrix[0][index] + matrix[1][index]
        hit = matrix[index][index]
        rows.append(
            [name, f"{counts['train'][name]:,}", f"{counts['test'][name]:,}",
             f"{hit / support:.3f}" if support else "n/a",
             f"{hit / predicted:.3f}" if predicted else "n/a"]
        )  # fmt: skip
    return "\n\n".join(
        [
            (
                f"Per class, for {envelope['models'][chosen]['label']} on the test split of "
                f"{envelope['data']['name']}:"
            ),
            markdown_table(["class", "train texts", "test texts", "recall", "precision"], rows),
            (
                "A gap in recall between the classes means one kind of opinion is missed more "
                "often. The data holds no attribute of the texts' authors (age, gender, dialect, "
                "nationality), so per-group metrics and group fairness **could not be assessed**; "
                "a labelled set with such attributes, or counterfactual sentences that swap "
                "identity terms, is needed for that."
            ),
        ]
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
            markdown_table(["text", "true label", "p(positive)", "excerpt"], mistakes)
            if mistakes
            else "None: every test text was classified correctly.",
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")


def beta(meta: dict[str, Any], name: str) -> float:
    """The NBSVM interpolation weight a model was trained with (1: none)."""
    if name != "nb_logreg" or meta.get("nb_beta") is None:
        return 1.0
    return float(meta["nb_beta"])


def score_models(
    config: Settings, reviews: Reviews, directory: Path, meta: dict[str, Any]
) -> tuple[dict[str, ModelResult], dict[str, np.ndarray], dict[str, Any]]:
    """Every trained model's train and test scores, with the CV that training ran."""
    train, test = reviews.train, reviews.test
    parts = {"train": train, "test": test}
    cv, chosen = meta["cross_validation"], meta["chosen"]
    results: dict[str, ModelResult] = {}
    test_scores: dict[str, np.ndarray] = {}
    extras: dict[str, Any] = {"cross_validation": cv, "confusion_matrix": {}}
    pipelines = {}
    for name in model_names(config):
        path = directory / f"{name}.joblib"
        if not path.is_file():
            raise NotTrainedError(f"{shown(path)} not found: run `make train` first")
        pipelines[name] = joblib.load(path)
    # Training fitted each feature set once for all the models on it (train.fit_all), so one
    # model's feature steps transform the texts for all of them: two transforms per feature set.
    sets = meta["feature_sets"]
    x: dict[str, dict[str, Any]] = {}
    for name, pipeline in pipelines.items():
        if name != MAJORITY and sets[name] not in x:
            features = pipeline[:-1]
            x[sets[name]] = {part: features.transform(d["text"]) for part, d in parts.items()}
    for name, pipeline in pipelines.items():
        head = pipeline[-1]
        if name == MAJORITY:
            train_scores, test_scores[name] = (
                positive_scores(pipeline, part["text"]) for part in (train, test)
            )
        else:
            train_scores, test_scores[name] = (
                np.asarray(head.predict_proba(x[sets[name]][part]))[:, 1]
                for part in ("train", "test")
            )
        y_pred = (test_scores[name] >= 0.5).astype(int)
        extras["confusion_matrix"][name] = confusion_matrix(
            test["label"], y_pred, labels=[0, 1]
        ).tolist()
        results[name] = ModelResult(
            label=display_name(name, meta["feature_sets"][name], beta(meta, name)),
            params=model_params(config, name),  # the ones training used: checked on entry
            train=scores(train["label"].to_numpy(), train_scores),
            validation={m: cv[name][m]["mean"] for m in METRICS},
            test=scores(test["label"].to_numpy(), test_scores[name]),
        )
        if name == chosen:
            extras["top_features"] = top_features(pipeline, config.evaluation.n_top_features)
    extras["misclassified"] = misclassified(
        test, test_scores[chosen], config.evaluation.n_misclassified
    )
    return results, test_scores, extras


def evaluate(config: Settings, mode: DataMode, docs: bool = True) -> dict[str, Any]:
    """Score every trained model; write eval/ and, when ``docs``, the README and model card."""
    meta = read_meta(models_dir(), mode)  # trained, on this data
    check_trained_with(meta, config)
    reviews = load_data(config, mode)
    results, test_scores, extras = score_models(config, reviews, models_dir(), meta)
    chosen = meta["chosen"]
    folds = extras["cross_validation"][chosen]["folds"]
    extras["labels"] = {"0": LABEL_NAMES[0], "1": LABEL_NAMES[1]}
    extras["class_counts"] = reviews.counts()
    extras["candidates"] = list(config.model.candidates)
    extras["feature_sets"], extras["min_df"] = meta["feature_sets"], meta["min_df"]
    extras["nb_beta"] = meta["nb_beta"]
    extras["read_as"] = f"{reviews.shape}, {reviews.columns}, encoding {reviews.encoding}"
    extras["imdb"] = reviews.imdb
    envelope = build_envelope(
        data=reviews.info(),
        split=SplitInfo(
            protocol=(
                f"{reviews.split}; validation = mean of stratified {folds}-fold "
                "cross-validation on the training split, which also chose the model"
            ),
            train_size=len(reviews.train),
            test_size=len(reviews.test),
        ),
        primary=PRIMARY,
        baseline=BASELINE,
        chosen=chosen,
        models=results,
        extras=extras,
        packages=PACKAGES,
    )
    write_envelope(envelope)
    plot_figures(
        reviews.test, test_scores, chosen, reviews.label(), {n: r.label for n, r in results.items()}
    )
    write_report(envelope, eval_dir() / "report.md")
    if docs:
        top = extras["top_features"]
        words = ", ".join(f"`{w}`" for w, _ in top["positive"][:8])
        neg_words = ", ".join(f"`{w}`" for w, _ in top["negative"][:8])
        reference = [IMDB_REFERENCE] if reviews.imdb else []
        write_results(
            envelope,
            verdict=verdict(envelope),
            table=results_table(envelope),
            fairness=fairness_section(envelope),
            readme_more=[
                *reference,
                f"Strongest positive n-grams: {words}. Strongest negative: {neg_words}.",
                "![Confusion matrix](eval/figures/confusion_matrix.png)",
                "Details, ROC curves and the most confident mistakes: [eval/report.md](eval/report.md).",
            ],
            card_more=reference,
            both={"data": data_section(envelope, reviews.imdb, config.data.full.source)},
        )
    return envelope


def run(args: argparse.Namespace) -> int:
    """Evaluate on the data chosen by ``--data`` or ``$DATA`` and print the results table."""
    envelope = evaluate(load_config(), data_mode(args.data))
    print(data_line(envelope))
    print(verdict(envelope))
    print(results_table(envelope))
    print("Wrote eval/metrics.json, eval/report.md, eval/figures/, README.md and MODEL_CARD.md")
    return 0
