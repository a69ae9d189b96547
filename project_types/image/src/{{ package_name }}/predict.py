"""Classify image files with the trained model: ``python -m <package> predict a.png b.jpg``."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image, UnidentifiedImageError

from .artifacts import read_meta
from .errors import DataError
from .images import load_image
from .models import Classifier, load_model
from .paths import models_dir, shown


@dataclass(frozen=True)
class Predictor:
    """A trained image classifier and how training read images, loaded once for many images."""

    model_name: str  # its name in models/ and eval/metrics.json
    model: Classifier
    size: tuple[int, int]  # (height, width)
    color: str  # "grayscale" or "rgb"
    classes: list[str]

    def read(self, source: Path | IO[bytes], name: str) -> np.ndarray:
        """One image file (a path or an open binary file) as training read them."""
        try:
            return load_image(source, self.size, self.color)
        except FileNotFoundError:
            raise DataError(f"{name} not found") from None
        except (
            UnidentifiedImageError,
            OSError,
            ValueError,
            SyntaxError,
            Image.DecompressionBombError,
        ):
            raise DataError(f"{name}: not a readable image (png, jpg, jpeg, webp)") from None

    def classify(self, images: list[np.ndarray]) -> list[tuple[str, float]]:
        """The most probable class and its probability for each image read by :meth:`read`."""
        proba = self.model.predict_proba(np.stack(images))
        return [(self.classes[int(p.argmax())], float(p.max())) for p in proba]


def load_predictor(model: str | None = None, directory: Path | None = None) -> Predictor:
    """A trained model from ``models/`` (``model``: default the chosen one, model.kind)."""
    directory = directory or models_dir()
    meta = read_meta(directory)
    name = model or meta["model_kind"]
    height, width, channels = meta["shape"]
    color = "grayscale" if channels == 1 else "rgb"
    return Predictor(name, load_model(name, directory), (height, width), color, meta["classes"])


def predict(
    paths: list[Path], model: str | None = None, directory: Path | None = None
) -> list[tuple[str, float]]:
    """The most probable class and its probability for each image file.

    Images are read as training read them: same colour mode, resized to the training size.
    """
    predictor = load_predictor(model, directory)
    return predictor.classify([predictor.read(path, shown(path)) for path in paths])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The image files, and which trained model to use."""
    parser.add_argument("images", nargs="+", type=Path, help="image files to classify")
    parser.add_argument(
        "--model",
        choices=["svc", "cnn", "logreg"],
        help="which trained model (default: the chosen one, model.kind)",
    )


def run(args: argparse.Namespace) -> int:
    """Print the predicted class and its probability for each image."""
    for path, (label, p) in zip(args.images, predict(args.images, args.model), strict=True):
        print(f"{label}  p={p:.3f}  {path}")
    return 0
