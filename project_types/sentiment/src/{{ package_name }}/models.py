"""The references (majority class, naive Bayes baseline) and the candidates for the main model.

Every model is a scikit-learn Pipeline: cleaning -> TF-IDF n-grams -> optional chi2 -> a "head".
There are at most two feature sets, word n-grams and word + character n-grams (:func:`feature_sets`);
cross-validation and training fit each once and share it among the heads (:func:`feature_steps`,
:func:`build_head`). Training keeps the candidate and feature set that cross-validate best, and
for ``nb_logreg`` the NBSVM interpolation weight (:func:`interpolate`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from .config import Settings
from .features import TextCleaner, build_selector, build_vectorizer

MAJORITY, BASELINE = "majority", "naive_bayes"
REFERENCES = (MAJORITY, BASELINE)  # trained and reported every time; never chosen
CANDIDATE_LABELS = {
    "nb_logreg": "NB-weighted n-grams + logistic regression (NBSVM-style)",
    "logreg": "TF-IDF + logistic regression",
    "linear_svm": "TF-IDF + linear SVM (calibrated)",
    "mnb": "TF-IDF + naive Bayes, light smoothing",
}


WORDS, WORDS_CHARS = "words", "words+chars"
FEATURE_SET_LABELS = {WORDS: "word n-grams", WORDS_CHARS: "word + character n-grams"}


class Size(NamedTuple):
    """How much training text there is: what the ``auto`` feature settings go by."""

    texts: int
    chars: int

    @classmethod
    def of(cls, texts: Iterable[Any]) -> Size:
        """The size of a training split's texts."""
        lengths = [len(str(text)) for text in texts]
        return cls(len(lengths), sum(lengths))


def feature_sets(config: Settings, size: Size) -> tuple[str, ...]:
    """The feature sets training cross-validates; the first one is the references'.

    ``char_ngrams: auto`` tries character n-grams beside words when the training texts total at
    most ``auto_max_chars`` characters: on one-sentence reviews they help (misspellings, word
    stems, ``!!!``), while on large splits of long reviews they multiply the time of every fit.
    """
    chars = config.features.char_ngrams
    if chars == "auto":
        return (WORDS, WORDS_CHARS) if size.chars <= config.features.auto_max_chars else (WORDS,)
    return (WORDS_CHARS,) if chars else (WORDS,)


def min_df(config: Settings, size: Size) -> float:
    """The vocabulary's ``min_df``; ``auto``: 1 up to ``auto_max_texts`` training texts, else 2.

    With a few hundred texts most words are seen once: dropping them throws away much of what
    there is to learn from, while on tens of thousands of texts they are mostly noise and memory.
    """
    value = config.features.min_df
    if value == "auto":
        return 1 if size.texts <= config.features.auto_max_texts else 2
    return value


def model_names(config: Settings) -> tuple[str, ...]:
    """Every model a run trains: the references, then the candidates in configured order."""
    return (*REFERENCES, *config.model.candidates)


def display_name(name: str, feature_set: str = WORDS, nb_beta: float = 1.0) -> str:
    """How reports and figures name a model, e.g. ``TF-IDF + logistic regression``."""
    if nb_beta != 1.0 and name == "nb_logreg":
        return (
            f"{display_name(name, feature_set)} [interpolated with naive Bayes, beta {nb_beta:g}]"
        )
    if feature_set != WORDS and name != MAJORITY:
        return f"{display_name(name)} [{FEATURE_SET_LABELS[feature_set]}]"
    if name == MAJORITY:
        return "Majority class (chance level)"
    if name == BASELINE:
        return "TF-IDF + naive Bayes (baseline)"
    if name in CANDIDATE_LABELS:
        return CANDIDATE_LABELS[name]
    raise ValueError(f"unknown model {name!r}")


def model_params(config: Settings, name: str) -> dict[str, Any]:
    """The parameters that define a model: recorded by training, shown in eval/metrics.json."""
    if name == MAJORITY:
        return {"strategy": "most_frequent"}
    features = config.features.model_dump()
    model = config.model
    if name == BASELINE:
        return {"classifier": "multinomial_nb", "alpha": config.baseline.nb_alpha} | features
    if name == "nb_logreg":
        head = {"C": model.nb_C, "nb_alpha": model.nb_alpha, "nb_beta": model.nb_beta}
        head |= {"binary": True}
    elif name == "mnb":
        head = {"alpha": model.mnb_alpha}
    elif name in CANDIDATE_LABELS:
        head = {"C": model.C}
    else:
        raise ValueError(f"unknown model {name!r}")
    return {"classifier": name, "seed": config.seed, "max_iter": model.max_iter} | head | features


class NBWeighter(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Binarise features and scale each by its naive Bayes log-count ratio (Wang & Manning, 2012).

    ``r = log((alpha + p) / |alpha + p|_1) - log((alpha + q) / |alpha + q|_1)``, with ``p`` and
    ``q`` the feature counts over positive and negative training texts: an n-gram seen mostly in
    positive texts gets a large positive weight before the linear model sees it. That prior is what
    keeps the model strong on short texts, where plain TF-IDF + logistic regression loses to
    naive Bayes.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    @staticmethod
    def _binary(X: Any) -> sp.csr_matrix:
        X = sp.csr_matrix(X, dtype=np.float32, copy=True)
        X.data[:] = 1.0
        return X

    def fit(self, X: Any, y: Any) -> NBWeighter:
        """Learn the log-count ratios from the training texts."""
        X, y = self._binary(X), np.asarray(y)
        p = self.alpha + np.asarray(X[y == 1].sum(axis=0)).ravel()
        q = self.alpha + np.asarray(X[y == 0].sum(axis=0)).ravel()
        self.ratio_ = (np.log(p / p.sum()) - np.log(q / q.sum())).astype(np.float32)
        return self

    def transform(self, X: Any) -> sp.csr_matrix:
        """Binary features times their ratios."""
        return sp.csr_matrix(self._binary(X).multiply(self.ratio_))


def build_head(config: Settings, name: str) -> Any:
    """The classifier of a model, fitted on top of the shared features."""
    model, seed = config.model, config.seed
    if name == MAJORITY:
        return DummyClassifier(strategy="most_frequent")
    if name == BASELINE:
        return MultinomialNB(alpha=config.baseline.nb_alpha)
    if name == "nb_logreg":
        return Pipeline(
            [
                ("nb", NBWeighter(alpha=model.nb_alpha)),
                ("lr", _logreg(model.nb_C, model.max_iter, seed)),
            ]
        )
    if name == "logreg":
        return _logreg(model.C, model.max_iter, seed)
    if name == "mnb":
        return MultinomialNB(alpha=model.mnb_alpha)
    if name == "linear_svm":
        svm = LinearSVC(C=model.C, max_iter=model.max_iter, random_state=seed)
        return CalibratedClassifierCV(svm, method="sigmoid", cv=3)
    raise ValueError(f"unknown model {name!r}")


def interpolate(head: Pipeline, beta: float) -> Pipeline:
    """A fitted ``nb_logreg`` head with weights ``beta * w + (1 - beta) * mean|w|`` (NBSVM).

    Wang and Manning's interpolation between the model and naive Bayes: on the NB-scaled binary
    features a weight equal for every n-gram scores a text by its summed log-count ratios, which
    is naive Bayes. ``beta`` 1 is the model as fitted; lower values trust the naive Bayes prior
    more, which helps when there are few texts. It needs no new fit, so cross-validation tries
    every configured ``beta`` at the cost of one.
    """
    if beta == 1.0:
        return head
    head = copy.deepcopy(head)
    lr = head.named_steps["lr"]
    lr.coef_ = beta * lr.coef_ + (1.0 - beta) * np.abs(lr.coef_).mean()
    return head


def _logreg(C: float, max_iter: int, seed: int) -> LogisticRegression:
    return LogisticRegression(C=C, solver="liblinear", max_iter=max_iter, random_state=seed)


def feature_steps(config: Settings, size: Size, feature_set: str = WORDS) -> list[tuple[str, Any]]:
    """Cleaning -> TF-IDF -> optional chi2 for a training split of ``size``."""
    features = config.features
    return [
        ("clean", TextCleaner(features.lowercase, features.strip_html)),
        ("tfidf", build_vectorizer(features, min_df(config, size), feature_set == WORDS_CHARS)),
        ("select", build_selector(features)),
    ]


def build_pipeline(
    config: Settings, name: str, size: Size, feature_set: str | None = None
) -> Pipeline:
    """One model as a whole Pipeline (every step fitted on training data only).

    ``size`` (of the training texts) resolves the ``auto`` settings; ``feature_set`` defaults to
    the references' one.
    """
    if name == MAJORITY:
        return Pipeline([("clf", build_head(config, name))])
    feature_set = feature_set or feature_sets(config, size)[0]
    return Pipeline([*feature_steps(config, size, feature_set), ("clf", build_head(config, name))])


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
    if isinstance(clf, Pipeline):  # nb_logreg: the weight of a present n-gram is coef * ratio
        coef = clf.named_steps["lr"].coef_[0] * clf.named_steps["nb"].ratio_
    elif isinstance(clf, CalibratedClassifierCV):
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
    order = np.argsort(coef, kind="stable")
    return {
        "positive": [(str(names[i]), float(coef[i])) for i in order[::-1][:n]],
        "negative": [(str(names[i]), float(coef[i])) for i in order[:n]],
    }
