"""The baselines (majority class, naive Bayes) and the main model, as scikit-learn Pipelines."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from .config import Settings
from .features import TextCleaner, build_selector, build_vectorizer

# The models every run trains: the chance-level reference, the baseline and the main model.
MODEL_NAMES = ("majority", "naive_bayes", "model")
BASELINE = "naive_bayes"
MAIN = "model"
KIND_NAMES = {"logreg": "logistic regression", "linear_svm": "linear SVM (calibrated)"}


def display_name(name: str, config: Settings) -> str:
    """How reports and figures name a model, e.g. ``TF-IDF + logistic regression``."""
    if name == "majority":
        return "Majority class (chance level)"
    if name == "naive_bayes":
        return "TF-IDF + naive Bayes (baseline)"
    if name == "model":
        return f"TF-IDF + {KIND_NAMES[config.model.kind]}"
    raise ValueError(f"unknown model {name!r}; expected one of {MODEL_NAMES}")


def model_params(config: Settings, name: str) -> dict[str, Any]:
    """The parameters that define a model: recorded by training, shown in eval/metrics.json."""
    if name == "majority":
        return {"strategy": "most_frequent"}
    features = config.features.model_dump()
    if name == "naive_bayes":
        return {"classifier": "multinomial_nb", "alpha": config.baseline.nb_alpha} | features
    if name == "model":
        return (
            {"classifier": config.model.kind, "seed": config.seed}
            | {k: v for k, v in config.model.model_dump().items() if k != "kind"}
            | features
        )
    raise ValueError(f"unknown model {name!r}; expected one of {MODEL_NAMES}")


def build_classifier(config: Settings) -> Any:
    """The main classifier: logistic regression or a sigmoid-calibrated linear SVM."""
    cfg, seed = config.model, config.seed
    if cfg.kind == "logreg":
        return LogisticRegression(
            C=cfg.C, solver="liblinear", max_iter=cfg.max_iter, random_state=seed
        )
    svm = LinearSVC(C=cfg.C, max_iter=cfg.max_iter, random_state=seed)
    return CalibratedClassifierCV(svm, method="sigmoid", cv=3)


def build_pipeline(config: Settings, name: str = "model") -> Pipeline:
    """Cleaning -> TF-IDF -> optional chi2 -> classifier, every step fitted on training data."""
    features = config.features
    if name == "majority":
        return Pipeline([("clf", DummyClassifier(strategy="most_frequent"))])
    if name == "naive_bayes":
        clf: Any = MultinomialNB(alpha=config.baseline.nb_alpha)
    elif name == "model":
        clf = build_classifier(config)
    else:
        raise ValueError(f"unknown model {name!r}; expected one of {MODEL_NAMES}")
    return Pipeline(
        [
            ("clean", TextCleaner(features.lowercase, features.strip_html)),
            ("tfidf", build_vectorizer(features)),
            ("select", build_selector(features)),
            ("clf", clf),
        ]
    )


def positive_scores(pipeline: Pipeline, texts: Any) -> np.ndarray:
    """Probability of the positive class for each text."""
    return np.asarray(pipeline.predict_proba(texts))[:, 1]


def linear_weights(pipeline: Pipeline) -> tuple[np.ndarray, np.ndarray]:
    """Feature names and their weights towards "positive" in a fitted linear pipeline."""
    names = pipeline.named_steps["tfidf"].get_feature_names_out()
    select = pipeline.named_steps["select"]
    if select != "passthrough":
        names = names[select.get_support()]
    clf = pipeline.named_steps["clf"]
    if isinstance(clf, CalibratedClassifierCV):
        coef = np.mean([c.estimator.coef_[0] for c in clf.calibrated_classifiers_], axis=0)
    elif isinstance(clf, MultinomialNB):
        coef = clf.feature_log_prob_[1] - clf.feature_log_prob_[0]
    else:
        coef = clf.coef_[0]
    names = np.array([n.split("__", 1)[-1] for n in names])
    return names, np.asarray(coef)


def top_features(pipeline: Pipeline, n: int = 15) -> dict[str, list[tuple[str, float]]]:
    """The ``n`` n-grams that push hardest towards each class."""
    names, coef = linear_weights(pipeline)
    order = np.argsort(coef)
    return {
        "positive": [(str(names[i]), float(coef[i])) for i in order[::-1][:n]],
        "negative": [(str(names[i]), float(coef[i])) for i in order[:n]],
    }
