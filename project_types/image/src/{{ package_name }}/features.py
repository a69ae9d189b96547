"""What the SVC sees of an image: its pixels, HOG descriptors (scikit-image), or both.

HOG (histograms of oriented gradients, Dalal and Triggs 2005) describes local edge directions,
which makes a classifier less sensitive to small shifts and changes of brightness than raw
pixels are. ``ImageFeatures`` is the first step of the SVC pipeline, so tuning and the learning
curve compute it inside each fold like any other step; it learns nothing from the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .errors import ConfigError

KINDS = ("pixels", "hog", "hog+pixels")


def hog_features(
    x: np.ndarray, orientations: int, pixels_per_cell: int, cells_per_block: int
) -> np.ndarray:
    """HOG descriptors of images ``(n, h, w, c)`` in [0, 1], one row per image.

    Colour images use the gradient of the strongest channel at each pixel (scikit-image's
    ``channel_axis``).
    """
    from skimage.feature import hog  # imported on first use: pixel-only runs skip its cost

    height, width, channels = x.shape[1:]
    cell = (pixels_per_cell, pixels_per_cell)
    block = (cells_per_block, cells_per_block)
    if min(height, width) < pixels_per_cell * cells_per_block:
        raise ConfigError(
            f"hog: {height}x{width} images are smaller than one block of "
            f"{cells_per_block}x{cells_per_block} cells of {pixels_per_cell} pixels: lower "
            "hog.pixels_per_cell or hog.cells_per_block, or set images.size"
        )
    axis = -1 if channels > 1 else None
    rows = [
        hog(
            image if channels > 1 else image[..., 0],
            orientations=orientations,
            pixels_per_cell=cell,
            cells_per_block=block,
            block_norm="L2-Hys",
            channel_axis=axis,
            feature_vector=True,
        )
        for image in x
    ]
    return np.asarray(rows, dtype=np.float32).reshape(len(x), -1)


class ImageFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Images ``(n, h, w, c)`` as feature rows: ``pixels``, ``hog`` or ``hog+pixels``.

    The parameters are plain attributes, so a search can set them (``features__kind``).
    """

    def __init__(
        self,
        kind: str = "pixels",
        orientations: int = 9,
        pixels_per_cell: int = 4,
        cells_per_block: int = 2,
    ) -> None:
        self.kind = kind
        self.orientations = orientations
        self.pixels_per_cell = pixels_per_cell
        self.cells_per_block = cells_per_block

    def fit(self, x: np.ndarray, y: Any = None) -> ImageFeatures:
        """Nothing to learn; checks the kind."""
        if self.kind not in KINDS:
            raise ValueError(f"features kind must be one of {KINDS}, got {self.kind!r}")
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        """One row of features per image."""
        x = np.asarray(x, dtype=np.float32)
        pixels = x.reshape(len(x), -1)
        if self.kind == "pixels":
            return pixels
        hog = hog_features(x, self.orientations, self.pixels_per_cell, self.cells_per_block)
        return hog if self.kind == "hog" else np.hstack([hog, pixels])
