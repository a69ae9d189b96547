"""Search hyper-parameters of the chosen model on the training split only.

The SVC is searched with stratified k-fold cross-validation (``tune.space``); the CNN with its
early-stopping validation share of the training split (``tune.cnn_space``). The best values are
written to configs/best_params.yaml, which every later step reads.
"""

from __future__ import annotations

import argparse
from typing import Any

from sklearn.model_selection import (
    GridSearchCV,
    ParameterGrid,
    ParameterSampler,
    RandomizedSearchCV,
    StratifiedKFold,
)

from .artifacts import write_best
from .config import Settings, load_config
from .data import ImageData, load_data
from .errors import ConfigError
from .models import build_pipeline, subsample
from .paths import shown
from .settings import data_mode

# How a configuration key maps to a parameter of the SVC pipeline.
PIPELINE_PARAMS = {
    "model.features": "features__kind",
    "hog.orientations": "features__orientations",
    "hog.pixels_per_cell": "features__pixels_per_cell",
    "model.pca_components": "pca__n_components",
    "model.C": "clf__C",
    "model.gamma": "clf__gamma",
}

SCORED_BY = "Best validation score inside the training split"  # what the header of best_params.yaml calls the score


def tune_svc(config: Settings, data: ImageData) -> tuple[dict[str, dict[str, Any]], float]:
    """Grid or random search with stratified CV on (a subsample of) the training split."""
    cfg = config.tune
    if "model.pca_components" in cfg.space and config.model.pca_components is None:
        raise ConfigError("tune.space: set model.pca_components to a number to tune it")
    x, y = subsample(data.x_train, data.y_train, cfg.max_samples, config.seed)
    space = {PIPELINE_PARAMS[k]: v for k, v in cfg.space.items()}
    folds = min(cfg.cv_folds, int(min(int((y == c).sum()) for c in set(y.tolist()))))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    pipeline = build_pipeline(config, "svc", proba=False)
    common: dict[str, Any] = {"scoring": cfg.scoring, "cv": cv, "error_score": "raise"}
    if cfg.search == "grid":
        search: Any = GridSearchCV(pipeline, space, **common)
    else:
        n_iter = min(cfg.n_iter, len(ParameterGrid(space)))
        search = RandomizedSearchCV(
            pipeline, space, n_iter=n_iter, random_state=config.seed, **common
        )
    search.fit(x, y)
    best: dict[str, dict[str, Any]] = {}
    for key in cfg.space:
        section, name = key.split(".", 1)
        best.setdefault(section, {})[name] = search.best_params_[PIPELINE_PARAMS[key]]
    return best, float(search.best_score_)


def tune_cnn(config: Settings, data: ImageData) -> tuple[dict[str, dict[str, Any]], float]:
    """Each candidate trained once; scored by its best accuracy on the early-stopping split."""
    from .cnn import train_cnn

    cfg = config.tune
    x, y = subsample(data.x_train, data.y_train, cfg.max_samples, config.seed)
    grid = ParameterGrid(cfg.cnn_space)
    if cfg.search == "grid" or cfg.n_iter >= len(grid):
        candidates = list(grid)
    else:
        candidates = list(ParameterSampler(cfg.cnn_space, cfg.n_iter, random_state=config.seed))
    best: dict[str, Any] = {}
    best_score = -1.0
    for candidate in candidates:
        cnn = config.cnn.model_copy(update={k.split(".", 1)[1]: v for k, v in candidate.items()})
        _, history = train_cnn(cnn, x, y, len(data.classes), config.seed)
        score = max(h["val_accuracy"] for h in history)
        if score > best_score:
            best, best_score = candidate, score
    return {"cnn": {k.split(".", 1)[1]: v for k, v in best.items()}}, best_score


def tune(
    config: Settings, mode: str, data: ImageData | None = None
) -> tuple[dict[str, dict[str, Any]], float]:
    """Search the chosen model's space on the training split; return the best config overlay."""
    config = config.for_data(mode)
    data = data or load_data(config, mode)
    if config.model.kind == "cnn":
        return tune_cnn(config, data)
    return tune_svc(config, data)


def run(args: argparse.Namespace) -> int:
    """Tune on the data chosen by ``--data`` or ``$DATA``; write configs/best_params.yaml."""
    mode = data_mode(args.data)
    config = load_config(tuned=False)  # search around the defaults, not the last result
    data = load_data(config, mode)
    best, score = tune(config, mode, data)
    path = write_best(best, score, data.describe(), scored_by=SCORED_BY)
    print(f"Best validation {config.tune.scoring}: {score:.4f} with {best}")
    print(f"Wrote {shown(path)}; run `make train evaluate` to use it")
    return 0
