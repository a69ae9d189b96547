"""Baselines and main model: fit/predict, a quality floor on the fixture, explanations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score

from {{ package_name }}.models import MODEL_NAMES, build_pipeline, positive_scores, top_features


def _accuracy(
    config: dict[str, Any], name: str, sample: tuple[pd.DataFrame, pd.DataFrame]
) -> float:
    train, test = sample
    pipeline = build_pipeline(config, name).fit(train["text"], train["label"])
    return float(accuracy_score(test["label"], pipeline.predict(test["text"])))


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_fit_predict_shapes(
    config: dict[str, Any], sample: tuple[pd.DataFrame, pd.DataFrame], name: str
) -> None:
    train, test = sample
    pipeline = build_pipeline(config, name).fit(train["text"], train["label"])
    assert set(pipeline.predict(test["text"])) <= {0, 1}
    scores = positive_scores(pipeline, test["text"])
    assert scores.shape == (len(test),)
    assert ((scores >= 0) & (scores <= 1)).all()


@pytest.mark.parametrize("kind", ["logreg", "linear_svm"])
def test_quality_floor_well_above_majority(
    config: dict[str, Any], sample: tuple[pd.DataFrame, pd.DataFrame], kind: str
) -> None:
    config["model"]["kind"] = kind
    majority = _accuracy(config, "majority", sample)
    assert majority == pytest.approx(0.5)
    assert _accuracy(config, "naive_bayes", sample) >= 0.8
    assert _accuracy(config, "model", sample) >= majority + 0.3


def test_training_is_deterministic(
    config: dict[str, Any], sample: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    train, test = sample
    runs = [
        positive_scores(build_pipeline(config).fit(train["text"], train["label"]), test["text"])
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])


@pytest.mark.parametrize("kind", ["logreg", "linear_svm"])
def test_top_features_make_sense(
    config: dict[str, Any], sample: tuple[pd.DataFrame, pd.DataFrame], kind: str
) -> None:
    train, _ = sample
    config["model"]["kind"] = kind
    pipeline = build_pipeline(config).fit(train["text"], train["label"])
    top = top_features(pipeline, 10)
    positive = [w for w, _ in top["positive"]]
    negative = [w for w, _ in top["negative"]]
    assert len(positive) == len(negative) == 10
    assert not set(positive) & set(negative)
    assert top["positive"][-1][1] > 0 > top["negative"][-1][1]
    assert {"great", "brilliant", "wonderful", "excellent"} & set(positive)
    assert {"boring", "dull", "awful", "terrible", "bored"} & set(negative)
