"""End to end on the fixture: train, evaluate (reports filled), tune, predict."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from {{ package_name }}.config import PROJECT_ROOT
from {{ package_name }}.evaluate import evaluate
from {{ package_name }}.predict import predict
from {{ package_name }}.train import train
from {{ package_name }}.tune import tune, write_best


def test_train_evaluate_predict(tmp_path: Path, config: dict[str, Any]) -> None:
    models, out, docs = tmp_path / "models", tmp_path / "eval", tmp_path / "docs"
    docs.mkdir()
    for name in ("README.md", "MODEL_CARD.md"):
        shutil.copy(PROJECT_ROOT / name, docs / name)
    meta = train(config, "sample", models)
    assert meta["n_train"] == 32
    metrics = evaluate(config, "sample", models, out, docs)

    saved = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert saved["data_mode"] == "sample"
    assert set(saved["models"]) == {"majority", "naive_bayes", "model"}
    model = metrics["models"]["model"]
    assert {"train", "cv", "test"} <= set(model)
    assert model["test"]["accuracy"] > metrics["models"]["majority"]["test"]["accuracy"]
    for figure in ("confusion_matrix.png", "roc_curve.png"):
        assert (out / "figures" / figure).stat().st_size > 0
    assert "Most confident mistakes" in (out / "report.md").read_text(encoding="utf-8")
    readme = (docs / "README.md").read_text(encoding="utf-8")
    assert "FIXTURE" in readme.split("<!-- results:start -->")[1]
    assert "| TF-IDF +" in (docs / "MODEL_CARD.md").read_text(encoding="utf-8")

    p_good, p_bad = predict(["A wonderful, moving film.", "Dull and boring."], models_dir=models)
    assert p_good > 0.5 > p_bad


def test_evaluate_refuses_models_from_other_data(tmp_path: Path, config: dict[str, Any]) -> None:
    (tmp_path / "meta.json").write_text(json.dumps({"data_mode": "full"}), encoding="utf-8")
    with pytest.raises(SystemExit, match="DATA=full"):
        evaluate(config, "sample", tmp_path, tmp_path / "eval", None)


def test_tune_writes_an_overlay(tmp_path: Path, config: dict[str, Any]) -> None:
    config["tune"].update(
        search="grid", cv_folds=2, space={"model.C": [1.0, 4.0], "features.min_df": [1, 2]}
    )
    best, score = tune(config, "sample")
    assert best["model"]["C"] in (1.0, 4.0)
    assert best["features"]["min_df"] in (1, 2)
    assert 0.0 <= score <= 1.0
    path = tmp_path / "best_params.yaml"
    write_best(best, score, "the fixture", path)
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == best


def test_tune_rejects_unknown_keys(config: dict[str, Any]) -> None:
    config["tune"]["space"] = {"model.gamma": [1]}
    with pytest.raises(ValueError, match="cannot tune"):
        tune(config, "sample")
