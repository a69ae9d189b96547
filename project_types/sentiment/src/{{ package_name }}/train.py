"""Fit the baselines and the main model on the training split and save them to models/."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import joblib

from .config import MODELS_DIR, data_mode, load_config
from .data import describe_data, load_splits
from .models import MODEL_NAMES, build_pipeline


def train(config: dict[str, Any], mode: str, models_dir: Path = MODELS_DIR) -> dict[str, Any]:
    """Fit every model on the training split only; write ``<name>.joblib`` and ``meta.json``."""
    train_df, _ = load_splits(config, mode)
    models_dir.mkdir(parents=True, exist_ok=True)
    seconds = {}
    for name in MODEL_NAMES:
        start = time.perf_counter()
        pipeline = build_pipeline(config, name).fit(train_df["text"], train_df["label"])
        seconds[name] = round(time.perf_counter() - start, 2)
        joblib.dump(pipeline, models_dir / f"{name}.joblib")
    meta = {
        "data_mode": mode,
        "data": describe_data(config, mode),
        "n_train": len(train_df),
        "model_kind": config["model"]["kind"],
        "fit_seconds": seconds,
    }
    (models_dir / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> None:
    """Train on the data chosen by ``--data`` or ``$DATA``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", choices=["sample", "full"], help="data mode (default: $DATA)")
    args = parser.parse_args(argv)
    mode = data_mode(args.data)
    meta = train(load_config(), mode)
    print(f"Trained on {meta['data']}: {meta['n_train']} reviews")
    for name, secs in meta["fit_seconds"].items():
        print(f"  {name:<12} fitted in {secs:.2f} s -> models/{name}.joblib")


if __name__ == "__main__":
    main()
