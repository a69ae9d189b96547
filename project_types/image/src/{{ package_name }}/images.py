"""Read a folder of images, one subfolder per class, into arrays of one size and colour mode.

Any size and colour mode is accepted: transparent pixels are laid over white, palettes and
16-bit images are converted, and every image is resized with Pillow to one size and scaled to
floats in [0, 1]. A file Pillow cannot read (corrupt, truncated, not an image) is skipped and
listed with the reason, never a traceback.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import DataError
from .paths import shown

EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")


@dataclass
class Folder:
    """The images of a class-per-folder tree, all ``size`` and in [0, 1]."""

    images: np.ndarray  # (n, height, width, channels), float32
    labels: np.ndarray  # (n,) int64, indices into ``classes``
    classes: list[str]
    files: list[Path]
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # file, why


def to_mode(image: Image.Image, color: str) -> Image.Image:
    """``image`` in mode ``L`` (grayscale) or ``RGB``, transparency laid over white."""
    image = ImageOps.exif_transpose(image) or image
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode.startswith("I"):  # 16-bit grayscale: keep the high byte
        wide = np.asarray(image, dtype=np.int64)
        image = Image.fromarray(np.clip(wide >> 8, 0, 255).astype(np.uint8))
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))
    return image.convert("L" if color == "grayscale" else "RGB")


def load_image(path: Path | IO[bytes], size: Sequence[int] | None, color: str) -> np.ndarray:
    """One image as float32 ``(height, width, channels)`` in [0, 1], resized to ``size``."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path) as opened:
            opened.load()
            image = to_mode(opened, color)
    if size is not None and image.size != (size[1], size[0]):
        image = image.resize((size[1], size[0]), Image.Resampling.BILINEAR)
    array = np.asarray(image, dtype=np.float32) / 255.0
    return array[..., None] if array.ndim == 2 else array


def image_files(root: Path) -> dict[str, list[Path]]:
    """The image files of each class folder of ``root``, sorted; hidden entries ignored."""
    if not root.is_dir():
        raise DataError(f"{shown(root)} is not a folder of class folders")
    classes: dict[str, list[Path]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(
            p
            for p in folder.rglob("*")
            if p.is_file() and p.suffix.lower() in EXTENSIONS and not p.name.startswith(".")
        )
        if files:
            classes[folder.name] = files
    return classes


def load_folder(
    root: Path, size: Sequence[int] | None, color: str, min_per_class: int = 2
) -> Folder:
    """Every readable image under ``root/<class>/``; unreadable ones are skipped and listed.

    ``size`` is ``[height, width]``; ``None`` takes the first readable image's size.
    """
    per_class = image_files(root)
    arrays: list[np.ndarray] = []
    labels: list[int] = []
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    counts: dict[str, int] = {}
    for index, (name, paths) in enumerate(per_class.items()):
        counts[name] = 0
        for path in paths:
            try:
                array = load_image(path, size, color)
            except (UnidentifiedImageError, Image.DecompressionBombWarning) as err:
                skipped.append((path, type(err).__name__))
                continue
            except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as err:
                skipped.append((path, " ".join(str(err).split()) or type(err).__name__))
                continue
            if size is None:
                size = array.shape[:2]
            arrays.append(array)
            labels.append(index)
            files.append(path)
            counts[name] += 1
    found = {name: n for name, n in counts.items() if n}
    if len(found) < 2:
        names = ", ".join(found) or "none"
        raise DataError(
            f"{shown(root)}: needs at least 2 class folders with images "
            f"({', '.join(EXTENSIONS)}), found {len(found)}: {names}"
        )
    few = {name: n for name, n in counts.items() if n < min_per_class}
    if few:
        listed = ", ".join(f"{name!r} has {n}" for name, n in few.items())
        raise DataError(
            f"{shown(root)}: every class needs at least {min_per_class} readable images "
            f"(data.folder.min_per_class): {listed}"
        )
    return Folder(
        images=np.stack(arrays).astype(np.float32),
        labels=np.asarray(labels, dtype=np.int64),
        classes=list(per_class),
        files=files,
        skipped=skipped,
    )
