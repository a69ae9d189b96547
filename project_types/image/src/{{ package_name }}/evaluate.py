"""Evaluate the trained models on the held-out split; write eval/ and the README and model card.

Scores are shown on the training split, on validation inside the training split (the learning
curve's cross-validation for the scikit-learn models, the early-stopping split for the CNN) and
on the held-out test split, so over-fitting is visible. Test accuracy is the primary metric;
logistic regression on pixels is the baseline.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
)
from sklearn.model_selection import StratifiedKFold, learning_curve

from . import figures
from .artifacts import read_meta
from .config import Settings, load_config
from .data import ImageData, load_data
from .envelope import ModelResult, PrimaryMetric, SplitInfo, build_envelope, write_envelope
from .models import (
    BASELINE,
    SKLEARN_MODELS,
    build_pipeline,
    display_name,
    load_model,
    model_names,
    model_params,
    subsample,
)
from .paths import eval_dir, models_dir
from .report import data_line, markdown_table, write_results
from .settings import DataMode, data_mode
from .train import check_trained_with

METRICS = ("accuracy", "f1_macro")
PRIMARY = PrimaryMetric("accuracy", "higher")
PACKAGES = ("scikit-learn", "numpy", "pillow", "matplotlib", "joblib", "pydantic", "torch")
FIGURES = {
    "confusion": "confusion_matrix.png",
    "misclassified": "misclassified.png",
    "curve": "learning_curve.png",
}


def scores(y_true: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """Accuracy and macro-averaged F1 of the most probable class."""
    y_pred = proba.argmax(axis=1)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "f1_macro": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
    }


def per_class(
    y_true: np.ndarray, y_pred: np.ndarray, classes: list[str]
) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support of each class."""
    report = classification_report(
        y_true,
        y_pred,
        labels=list(range(len(classes))),
        target_names=classes,
        output_dict=True,
        zero_division=0,
    )
    keys = ("precision", "recall", "f1-score", "support")
    return {
        name: {k.removesuffix("-score"): float(report[name][k]) for k in keys} for name in classes
    }


def curves(config: Settings, data: ImageData) -> dict[str, dict[str, list[Any]]]:
    """Learning curves of the scikit-learn models: train vs cross-validated accuracy by size."""
    cfg = config.evaluation
    x, y = subsample(data.x_train, data.y_train, cfg.curve_max_samples, config.seed)
    folds = min(cfg.cv_folds, int(np.bincount(y).min()))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    result: dict[str, dict[str, list[Any]]] = {}
    for name in SKLEARN_MODELS:
        pipeline = build_pipeline(config, name, proba=False)  # accuracy needs no calibration
        sizes, train_scores, val_scores = learning_curve(
            clone(pipeline),
            x,
            y,
            train_sizes=cfg.curve_sizes,
            cv=cv,
            scoring="accuracy",
            shuffle=True,  # the images are grouped by class: a prefix would miss classes
            random_state=config.seed,
            error_score="raise",
        )
        result[name] = {
            "sizes": [int(s) for s in sizes],
            "train": [float(s) for s in train_scores.mean(axis=1)],
            "validation": [float(s) for s in val_scores.mean(axis=1)],
            "validation_std": [float(s) for s in val_scores.std(axis=1)],
        }
    return result


def show_image(ax: Any, image: np.ndarray) -> None:
    """An image ``(h, w, c)`` in [0, 1] on an axis without ticks."""
    if image.shape[-1] == 1:
        ax.imshow(image[..., 0], cmap="gray", vmin=0, vmax=1)
    else:
        ax.imshow(np.clip(image, 0, 1))
    ax.set_xticks([])
    ax.set_yticks([])


def plot_figures(
    config: Settings,
    data: ImageData,
    proba: np.ndarray,
    curve: dict[str, dict[str, list[Any]]],
    history: list[dict[str, float]],
    wrong: list[int],
) -> list[Path]:
    """Confusion matrix, misclassified images and learning curves, each stamped with the data."""
    plt = figures.pyplot()
    chosen, label = config.model.kind, data.label()
    n = len(data.classes)
    fig, ax = plt.subplots(figsize=(max(4.8, 0.55 * n + 2), max(4.4, 0.55 * n + 1.6)))
    ConfusionMatrixDisplay.from_predictions(
        data.y_test,
        proba.argmax(axis=1),
        labels=list(range(n)),
        display_labels=data.classes,
        cmap="Blues",
        colorbar=False,
        ax=ax,
        xticks_rotation=45 if max(map(len, data.classes)) > 3 else "horizontal",
    )
    ax.set_title(f"{display_name(chosen, config)}\ntest split", fontsize=10)
    written = [figures.save(fig, FIGURES["confusion"], label)]

    cols = 4
    rows = max(1, -(-len(wrong) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.9, rows * 2.1 + 0.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong, strict=False):
        ax.axis("on")
        show_image(ax, data.x_test[i])
        pred = int(proba[i].argmax())
        ax.set_title(
            f"true: {data.classes[data.y_test[i]]}\npred: {data.classes[pred]} ({proba[i, pred]:.2f})",
            fontsize=7,
        )
    fig.suptitle(
        f"Most confident mistakes of {display_name(chosen, config)}"
        if wrong
        else "No test image was misclassified",
        fontsize=9,
    )
    written.append(figures.save(fig, FIGURES["misclassified"], label))

    panels = len(curve) + (1 if history else 0)
    fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels, 3.8), squeeze=False)
    for ax, (name, c) in zip(axes[0], curve.items(), strict=False):
        ax.plot(c["sizes"], c["train"], marker="o", label="train")
        ax.plot(c["sizes"], c["validation"], marker="o", label="cross-validation")
        ax.set_title(display_name(name, config), fontsize=9)
        ax.set_xlabel("training images")
        ax.set_ylabel("accuracy")
        ax.legend(fontsize=8)
    if history:
        ax = axes[0][-1]
        epochs = [h["epoch"] for h in history]
        ax.plot(epochs, [h["train_accuracy"] for h in history], marker="o", label="train")
        ax.plot(epochs, [h["val_accuracy"] for h in history], marker="o", label="validation")
        ax.set_title(display_name("cnn", config), fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy")
        ax.legend(fontsize=8)
    written.append(figures.save(fig, FIGURES["curve"], label))
    return written


def results_table(envelope: dict[str, Any]) -> str:
    """Markdown table: train, validation and test scores of every model side by side."""
    header = ["Model", "Train acc.", "Validation acc.", "Test acc.", "Test macro-F1"]
    rows = []
    for model in envelope["models"].values():
        metrics = model["metrics"]
        validation = metrics.get("validation", {}).get("accuracy")
        rows.append(
            [
                model["label"],
                f"{metrics['train']['accuracy']:.3f}",
                f"{validation:.3f}" if validation is not None else "-",
                f"{metrics['test']['accuracy']:.3f}",
                f"{metrics['test']['f1_macro']:.3f}",
            ]
        )
    return markdown_table(header, rows)


def per_class_table(report: dict[str, dict[str, float]]) -> str:
    """The chosen model's precision, recall and F1 per class."""
    rows = [
        [
            name,
            f"{r['precision']:.3f}",
            f"{r['recall']:.3f}",
            f"{r['f1']:.3f}",
            f"{r['support']:.0f}",
        ]
        for name, r in report.items()
    ]
    return markdown_table(["class", "precision", "recall", "F1", "test images"], rows)


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


def fairness_section(envelope: dict[str, Any]) -> str:
    """What the data allows: class balance and the chosen model's recall per class."""
    chosen = envelope["chosen_model"]
    report = envelope["extras"]["per_class"][chosen]
    recall = {name: scores["recall"] for name, scores in report.items()}
    worst, best = min(recall, key=recall.__getitem__), max(recall, key=recall.__getitem__)
    supports = [int(s["support"]) for s in report.values()]
    return "\n\n".join(
        [
            (
                f"Per class, for {envelope['models'][chosen]['label']} on the test split of "
                f"{envelope['data']['name']}: test images per class range "
                f"from {min(supports):,} to {max(supports):,}; recall ranges from "
                f"{recall[worst]:.3f} (class `{worst}`) to {recall[best]:.3f} (class `{best}`). "
                "The per-class table of `eval/report.md` has precision, recall and F1 of each."
            ),
            (
                "The images carry no attribute of people (who wrote a digit, who wears a garment, "
                "who took a photo), so per-group metrics and group fairness **could not be "
                "assessed**. With your own images of people, add the attribute as a column and "
                "compare errors per group before any use beyond a portfolio."
            ),
        ]
    )


def write_report(envelope: dict[str, Any], path: Path) -> None:
    """eval/report.md: scores, per-class scores, figures and the most confident mistakes."""
    extras = envelope["extras"]
    chosen = envelope["models"][envelope["chosen_model"]]["label"]
    mistakes = [
        [m["image"], m["true"], m["predicted"], f"{m['p']:.3f}"] for m in extras["misclassified"]
    ]
    text = "\n\n".join(
        [
            "# Evaluation report",
            data_line(envelope),
            verdict(envelope),
            results_table(envelope),
            f"## Per class ({chosen}, test split)",
            per_class_table(extras["per_class"][envelope["chosen_model"]]),
            "![Confusion matrix](figures/confusion_matrix.png)",
            "## Learning curves\n\nTrain against validation accuracy: a wide gap is over-fitting.",
            "![Learning curves](figures/learning_curve.png)",
            "## Most confident mistakes on the test split",
            "![Misclassified test images](figures/misclassified.png)",
            markdown_table(["image", "true", "predicted", "p(predicted)"], mistakes)
            if mistakes
            else "None: every test image was classified correctly.",
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")


def evaluate(config: Settings, mode: DataMode, docs: bool = True) -> dict[str, Any]:
    """Score every trained model; write eval/ and, when ``docs``, the README and model card."""
    config = config.for_data(mode)
    meta = read_meta(models_dir(), mode)
    check_trained_with(meta, config)  # trained, on this data, with these parameters
    data = load_data(config, mode)
    chosen = config.model.kind
    x_fit, y_fit = subsample(
        data.x_train, data.y_train, config.evaluation.curve_max_samples, config.seed
    )
    curve = curves(config, data)
    history: list[dict[str, float]] = meta.get("cnn_history", [])
    results: dict[str, ModelResult] = {}
    extras: dict[str, Any] = {"confusion_matrix": {}, "per_class": {}, "learning_curve": curve}
    test_proba: dict[str, np.ndarray] = {}
    for name in model_names(config):
        model = load_model(name)
        test_proba[name] = model.predict_proba(data.x_test)
        y_pred = test_proba[name].argmax(axis=1)
        labels = list(range(len(data.classes)))
        extras["confusion_matrix"][name] = confusion_matrix(
            data.y_test, y_pred, labels=labels
        ).tolist()
        extras["per_class"][name] = per_class(data.y_test, y_pred, data.classes)
        if name == "cnn":
            best = max(history, key=lambda h: h["val_accuracy"]) if history else None
            validation = {"accuracy": best["val_accuracy"]} if best else None
        else:
            validation = {"accuracy": curve[name]["validation"][-1]}
        results[name] = ModelResult(
            label=display_name(name, config),
            params=model_params(config, name),
            train=scores(y_fit, model.predict_proba(x_fit)),
            validation=validation,
            test=scores(data.y_test, test_proba[name]),
        )
    proba = test_proba[chosen]
    wrong = np.flatnonzero(proba.argmax(axis=1) != data.y_test)
    wrong = wrong[np.argsort(-proba[wrong].max(axis=1), kind="stable")]
    wrong = wrong[: config.evaluation.n_misclassified]
    extras["misclassified"] = [
        {
            "image": data.test_ids[i] if data.test_ids else f"test #{i}",
            "true": data.classes[data.y_test[i]],
            "predicted": data.classes[int(proba[i].argmax())],
            "p": round(float(proba[i].max()), 3),
        }
        for i in wrong
    ]
    extras["classes"] = data.classes
    extras["class_counts"] = data.counts()
    extras["cnn_history"] = history
    extras["skipped_files"] = len(data.skipped)
    train_note = (
        f"; train scores on {len(y_fit):,} training images"
        if len(y_fit) < len(data.y_train)
        else ""
    )
    envelope = build_envelope(
        data=data.info(),
        split=SplitInfo(
            protocol=(
                f"{data.split}; validation = {config.evaluation.cv_folds}-fold cross-validation "
                "on the training split (the CNN: its early-stopping share of the training split)"
                f"{train_note}"
            ),
            train_size=len(data.y_train),
            test_size=len(data.y_test),
        ),
        primary=PRIMARY,
        baseline=BASELINE,
        chosen=chosen,
        models=results,
        extras=extras,
        packages=PACKAGES,
    )
    write_envelope(envelope)
    plot_figures(config, data, proba, curve, history, [int(i) for i in wrong])
    write_report(envelope, eval_dir() / "report.md")
    if docs:
        write_results(
            envelope,
            verdict=verdict(envelope),
            table=results_table(envelope),
            fairness=fairness_section(envelope),
            readme_more=[
                (
                    "![Confusion matrix](eval/figures/confusion_matrix.png)"
                    " ![Misclassified test images](eval/figures/misclassified.png)"
                ),
                (
                    "Per-class precision and recall, learning curves and the most confident "
                    "mistakes: [eval/report.md](eval/report.md)."
                ),
            ],
        )
    return envelope


def run(args: argparse.Namespace) -> int:
    """Evaluate on the data chosen by ``--data`` or ``$DATA`` and print the results table."""
    config = load_config()
    envelope = evaluate(config, data_mode(args.data))
    print(data_line(envelope))
    print(verdict(envelope))
    print(results_table(envelope))
    print("Wrote eval/metrics.json, eval/report.md, eval/figures/, README.md and MODEL_CARD.md")
    return 0
