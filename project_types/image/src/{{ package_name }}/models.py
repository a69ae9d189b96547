"""The baseline (logistic regression on pixels) and the main scikit-learn model (PCA + RBF SVC).

Both are Pipelines over images ``(n, height, width, channels)``: features (pixels or HOG),
scaling and PCA are steps of the pipeline, so they are fitted on training data only. The CNN
lives in ``cnn.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC

from .config import Settings
from .errors import NotTrainedError
from .features import ImageFeatures
from .paths import models_dir, shown

BASELINE = "logreg"
SKLEARN_MODELS = ("logreg", "svc")


class Classifier(Protocol):
    """What evaluation and prediction need from a trained model."""

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, ``(n, n_classes)``, for images ``(n, height, width, channels)``."""
        ...


def model_names(config: Settings) -> tuple[str, ...]:
    """The models a run trains: the baseline, the SVC, and the CNN when it is the chosen model."""
    return (*SKLEARN_MODELS, "cnn") if config.model.kind == "cnn" else SKLEARN_MODELS


def display_name(name: str, config: Settings) -> str:
    """How reports and figures name a model."""
    if name == "logreg":
        return "Logistic regression on pixels (baseline)"
    if name == "svc":
        pca = config.model.pca_components
        features = {"pixels": "", "hog": "HOG + ", "hog+pixels": "HOG and pixels + "}
        svc = f"PCA ({pca}) + SVC (RBF)" if pca is not None else "SVC (RBF)"
        on = " on pixels" if pca is None and config.model.features == "pixels" else ""
        return features[config.model.features] + svc + on
    if name == "cnn":
        return f"Small CNN (PyTorch, width {config.cnn.width})"
    raise ValueError(f"unknown model {name!r}; expected logreg, svc or cnn")


def model_params(config: Settings, name: str) -> dict[str, Any]:
    """The parameters that define a model: recorded by training, shown in eval/metrics.json."""
    images = config.images.model_dump()
    if name == "logreg":
        return {"classifier": "logistic_regression"} | config.baseline.model_dump() | images
    if name == "svc":
        params = {k: v for k, v in config.model.model_dump().items() if k != "kind"}
        if config.model.features != "pixels":
            params["hog"] = config.hog.model_dump()
        return {"classifier": "svc_rbf", "seed": config.seed} | params | images
    if name == "cnn":
        cnn = config.cnn.model_dump(exclude={"full"})
        return {"classifier": "cnn", "seed": config.seed} | cnn | images
    raise ValueError(f"unknown model {name!r}; expected logreg, svc or cnn")


def flatten(x: np.ndarray) -> np.ndarray:
    """Images ``(n, h, w, c)`` as rows of pixels ``(n, h*w*c)``."""
    return np.asarray(x, dtype=np.float32).reshape(len(x), -1)


class CappedPCA(PCA):  # type: ignore[misc]
    """PCA whose component count is capped at what the data allows.

    A small folder of images, or a small step of the learning curve, can hold fewer images than
    ``model.pca_components``; plain PCA refuses that, this one keeps as many as there can be.
    """

    def fit_transform(self, X: np.ndarray, y: Any = None) -> np.ndarray:
        """Fit with at most ``min(n_samples, n_features)`` components; return the projection."""
        wanted: Any = self.get_params()["n_components"]
        limit = min(np.shape(X))
        if isinstance(wanted, int) and wanted > limit:
            self.n_components = limit
        try:
            return np.asarray(super().fit_transform(X, y))
        finally:
            self.n_components = wanted

    def fit(self, X: np.ndarray, y: Any = None) -> CappedPCA:
        """Fit (see :meth:`fit_transform`)."""
        self.fit_transform(X, y)
        return self


def build_pipeline(config: Settings, name: str = "svc", *, proba: bool = True) -> Pipeline:
    """Features -> (scale) -> (PCA) -> classifier, every step fitted on training data.

    The SVC's probabilities come from sigmoid calibration on internal folds of the training
    data; ``proba=False`` leaves the bare SVC (faster, for searches and learning curves).
    """
    pixels = ("pixels", FunctionTransformer(flatten))
    if name == "logreg":
        logreg = LogisticRegression(C=config.baseline.C, max_iter=config.baseline.max_iter)
        return Pipeline([pixels, ("clf", logreg)])
    if name != "svc":
        raise ValueError(f"unknown scikit-learn model {name!r}; expected one of {SKLEARN_MODELS}")
    cfg = config.model
    hog = config.hog
    features = ImageFeatures(
        cfg.features, hog.orientations, hog.pixels_per_cell, hog.cells_per_block
    )
    scale = StandardScaler() if cfg.standardize else "passthrough"
    pca: Any = "passthrough"
    if cfg.pca_components is not None:
        pca = CappedPCA(
            n_components=cfg.pca_components, whiten=cfg.whiten, random_state=config.seed
        )
    clf: Any = SVC(C=cfg.C, gamma=cfg.gamma, kernel="rbf")
    if proba:
        clf = CalibratedClassifierCV(clf, method="sigmoid", cv=3, ensemble=False)
    return Pipeline([("features", features), ("scale", scale), ("pca", pca), ("clf", clf)])


def subsample(
    x: np.ndarray, y: np.ndarray, n: int | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """At most ``n`` rows, stratified by class (all of them when ``n`` is None or larger)."""
    if n is None or n >= len(y):
        return x, y
    keep, _ = train_test_split(np.arange(len(y)), train_size=n, stratify=y, random_state=seed)
    keep = np.sort(keep)
    return x[keep], y[keep]


def fit_sklearn(config: Settings, name: str, x: np.ndarray, y: np.ndarray) -> Pipeline:
    """Fit a scikit-learn model on at most ``baseline.max_train`` or ``model.max_train`` images."""
    limit = config.baseline.max_train if name == BASELINE else config.model.max_train
    x, y = subsample(x, y, limit, config.seed)
    return build_pipeline(config, name).fit(x, y)


def load_model(name: str, directory: Path | None = None) -> Classifier:
    """A trained model from ``models/``: ``<name>.joblib``, or ``cnn.pt`` for the CNN."""
    directory = directory or models_dir()
    if name == "cnn":
        from .cnn import load_cnn

        return load_cnn(directory / "cnn.pt")
    path = directory / f"{name}.joblib"
    if not path.is_file():
        raise NotTrainedError(f"{shown(path)} not found: run `make train` first")
    model: Classifier = joblib.load(path)
    return model
