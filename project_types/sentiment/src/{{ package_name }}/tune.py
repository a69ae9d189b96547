"""Search hyper-parameters with cross-validation on the training split only.

The search space lives in ``tune.space`` of configs/default.yaml as ``section.key: [values]``;
the best values are written to configs/best_params.yaml, which every later step reads.
"""

from __future__ import annotations

import argparse
from typing import Any

from sklearn.model_selection import GridSearchCV, ParameterGrid, RandomizedSearchCV, StratifiedKFold

from .artifacts import write_best
from .config import Settings, load_config
from .data import Reviews, load_data
from .errors import ConfigError
from .models import Size, build_pipeline
from .paths import shown
from .settings import data_mode

# How a configuration key maps to a parameter of the main pipeline.
PIPELINE_PARAMS = {
    "features.word_ngram_range": "tfidf__word__ngram_range",
    "features.min_df": "tfidf__word__min_df",
    "features.max_df": "tfidf__word__max_df",
    "features.sublinear_tf": "tfidf__word__sublinear_tf",
    "features.chi2_k": "select__k",
}

SCORED_BY = "Best cross-validated score on the training split"  # what the header of best_params.yaml calls the score


# The parameter each key sets in the head of each candidate (model.C: logreg and linear_svm).
HEAD_PARAMS = {
    ("model.C", "logreg"): "clf__C",
    ("model.C", "linear_svm"): "clf__estimator__C",
    ("model.nb_C", "nb_logreg"): "clf__lr__C",
}


def pipeline_param(key: str, config: Settings) -> str:
    """Translate ``section.key`` from the config into a parameter of the tuned pipeline."""
    if key.startswith("model."):
        tuned = config.model.candidates[0]
        if (key, tuned) not in HEAD_PARAMS:
            raise ConfigError(
                f"tune.space: {key} is not a parameter of {tuned}, the first of model.candidates "
                "(which `make tune` tunes): use model.nb_C for nb_logreg, model.C otherwise"
            )
        return HEAD_PARAMS[(key, tuned)]
    if key not in PIPELINE_PARAMS:
        known = ", ".join([*PIPELINE_PARAMS, "model.C", "model.nb_C"])
        raise ConfigError(f"tune.space: cannot tune {key!r}; tunable keys: {known}")
    return PIPELINE_PARAMS[key]


def tune(
    config: Settings, mode: str, reviews: Reviews | None = None
) -> tuple[dict[str, dict[str, Any]], float]:
    """Search the first candidate's parameters on the training split; return the best overlay."""
    cfg = config.tune
    train = (reviews or load_data(config, mode)).train
    keys = list(cfg.space)
    space = {
        pipeline_param(k, config): [tuple(v) if isinstance(v, list) else v for v in values]
        for k, values in cfg.space.items()
    }
    if "select__k" in space and config.features.chi2_k is None:
        raise ConfigError("tune.space: set features.chi2_k to a number to tune it")
    folds = min(cfg.cv_folds, int(train["label"].value_counts().min()))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    pipeline = build_pipeline(config, config.model.candidates[0], Size.of(train["text"]))
    common: dict[str, Any] = {"scoring": cfg.scoring, "cv": cv, "n_jobs": cfg.n_jobs}
    if cfg.search == "grid":
        search: Any = GridSearchCV(pipeline, space, **common)
    else:
        n_iter = min(cfg.n_iter, len(ParameterGrid(space)))
        search = RandomizedSearchCV(
            pipeline, space, n_iter=n_iter, random_state=config.seed, **common
        )
    search.fit(train["text"], train["label"])
    best: dict[str, dict[str, Any]] = {}
    for key in keys:
        value = search.best_params_[pipeline_param(key, config)]
        section, name = key.split(".", 1)
        best.setdefault(section, {})[name] = list(value) if isinstance(value, tuple) else value
    return best, float(search.best_score_)


def run(args: argparse.Namespace) -> int:
    """Tune on the data chosen by ``--data`` or ``$DATA``; write configs/best_params.yaml."""
    mode = data_mode(args.data)
    config = load_config(tuned=False)  # search around the defaults, not the last result
    reviews = load_data(config, mode)
    best, score = tune(config, mode, reviews)
    path = write_best(best, score, reviews.describe(), scored_by=SCORED_BY)
    print(f"Best CV {config.tune.scoring}: {score:.4f} with {best}")
    print(f"Wrote {shown(path)}; run `make train evaluate` to use it")
    return 0
