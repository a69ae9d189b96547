"""Classify texts with the trained model: ``python -m <package>.predict "some text"``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import joblib

from .config import MODELS_DIR
from .data import LABEL_NAMES
from .models import positive_scores


def predict(texts: list[str], model: str = "model", models_dir: Path = MODELS_DIR) -> list[float]:
    """Positive-class probability of each text from a trained ``models/<model>.joblib``."""
    path = models_dir / f"{model}.joblib"
    if not path.is_file():
        raise SystemExit(f"{path} not found: run `make train` first")
    return [float(p) for p in positive_scores(joblib.load(path), texts)]


def main(argv: list[str] | None = None) -> None:
    """Print label, probability and the (shortened) text for each argument or stdin line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("texts", nargs="*", help="texts to classify (default: one per stdin line)")
    parser.add_argument(
        "--model", default="model", choices=["model", "naive_bayes"], help="which trained model"
    )
    args = parser.parse_args(argv)
    texts = args.texts or [line.strip() for line in sys.stdin if line.strip()]
    if not texts:
        parser.error("give at least one text")
    for text, p in zip(texts, predict(texts, args.model), strict=True):
        label = LABEL_NAMES[int(p >= 0.5)]
        short = text if len(text) <= 70 else text[:67] + "..."
        print(f"{label:<8}  p(positive)={p:.3f}  {short}")


if __name__ == "__main__":
    main()
