"""Classify texts with the trained model: ``python -m <package> predict "some text"``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import joblib
from sklearn.pipeline import Pipeline

from .artifacts import read_meta
from .data import LABEL_NAMES
from .errors import DataError, NotTrainedError
from .models import CANDIDATE_LABELS, REFERENCES, positive_scores
from .paths import models_dir, shown


@dataclass(frozen=True)
class Predictor:
    """A trained text classifier, loaded once for many texts."""

    model_name: str  # its name in models/ and eval/metrics.json
    pipeline: Pipeline

    def predict(self, texts: list[str]) -> list[float]:
        """Positive-class probability of each text."""
        return [float(p) for p in positive_scores(self.pipeline, texts)]


def load_predictor(model: str = "model", directory: Path | None = None) -> Predictor:
    """A trained model from ``models/`` (``model``: the one training chose)."""
    directory = directory or models_dir()
    if model == "model":
        model = read_meta(directory)["chosen"]
    path = directory / f"{model}.joblib"
    if not path.is_file():
        raise NotTrainedError(f"{shown(path)} not found: run `make train` first")
    return Predictor(model, joblib.load(path))


def predict(texts: list[str], model: str = "model", directory: Path | None = None) -> list[float]:
    """Positive-class probability of each text from a trained model (``model``: the chosen one)."""
    return load_predictor(model, directory).predict(texts)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The texts, and which trained model to use."""
    parser.add_argument("texts", nargs="*", help="texts to classify (default: one per stdin line)")
    parser.add_argument(
        "--model",
        default="model",
        choices=["model", *REFERENCES[1:], *CANDIDATE_LABELS],
        help="which trained model (default: the one training chose)",
    )


def run(args: argparse.Namespace) -> int:
    """Print label, probability and the (shortened) text for each argument or stdin line."""
    if not args.texts and sys.stdin.isatty():
        raise DataError("give at least one text, as arguments or one per line on stdin")
    texts = args.texts or [line.strip() for line in sys.stdin if line.strip()]
    if not texts:
        raise DataError("give at least one text, as arguments or one per line on stdin")
    for text, p in zip(texts, predict(texts, args.model), strict=True):
        label = LABEL_NAMES[int(p >= 0.5)]
        short = text if len(text) <= 70 else text[:67] + "..."
        print(f"{label:<8}  p(positive)={p:.3f}  {short}")
    return 0
