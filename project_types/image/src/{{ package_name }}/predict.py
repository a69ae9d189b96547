"""Classify image files with the trained model: ``python -m <package> predict a.png b.jpg``."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .artifacts import read_meta
from .errors import DataError
from .images import load_image
from .models import load_model
from .paths import models_dir, shown


def predict(
    paths: list[Path], model: str | None = None, directory: Path | None = None
) -> list[tuple[str, float]]:
    """The most probable class and its probability for each image file.

    Images are read as training read them: same colour mode, resized to the training size.
    """
    directory = directory or models_dir()
    meta = read_meta(directory)
    name = model or meta["model_kind"]
    height, width, channels = meta["shape"]
    color = "grayscale" if channels == 1 else "rgb"
    images = []
    for path in paths:
        try:
            images.append(load_image(path, (height, width), color))
        except FileNotFoundError:
            raise DataError(f"{shown(path)} not found") from None
        except (
            UnidentifiedImageError,
            OSError,
            ValueError,
            SyntaxError,
            Image.DecompressionBombError,
        ):
            raise DataError(f"{shown(path)}: not a readable image (png, jpg, jpeg, webp)") from None
    proba = load_model(name, directory).predict_proba(np.stack(images))
    classes: list[str] = meta["classes"]
    return [(classes[int(p.argmax())], float(p.max())) for p in proba]


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
