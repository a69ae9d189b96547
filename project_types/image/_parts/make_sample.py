"""Write the image type's sample: 300 of scikit-learn's bundled 8x8 digits as PNG files.

Not part of a generated project: it documents, and reproduces byte for byte, how the sample in
data/sample/digits/ was made. Run from the repository root, with scikit-learn and Pillow:

    python project_types/image/_parts/make_sample.py

The images are real: the UCI "Optical Recognition of Handwritten Digits" test set that
scikit-learn ships as ``load_digits`` (1,797 images of 8x8 pixels, intensities 0-16; CC BY 4.0).
A seeded generator picks 30 per digit; each is scaled to 0-255 and written as an 8-bit grayscale
PNG named after its row in ``load_digits``, in one folder per class.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits

PER_CLASS, SEED = 30, 2024
TARGET = Path(__file__).resolve().parents[1] / "data" / "sample" / "digits"
README = """\
REAL DATA, a subset: 300 images (30 per digit) of the UCI "Optical Recognition of Handwritten
Digits" data set as scikit-learn ships it (sklearn.datasets.load_digits), written as 8x8 8-bit
grayscale PNGs, one folder per class. File names are the image's row in load_digits.
Source: E. Alpaydin and C. Kaynak, UCI Machine Learning Repository,
https://doi.org/10.24432/C50P49 (license: CC BY 4.0).
"""


def main() -> None:
    """Pick the images, write the PNGs and the README."""
    digits = load_digits()
    rng = np.random.default_rng(SEED)
    shutil.rmtree(TARGET, ignore_errors=True)
    for label in range(10):
        rows = np.sort(rng.choice(np.flatnonzero(digits.target == label), PER_CLASS, replace=False))
        folder = TARGET / str(label)
        folder.mkdir(parents=True)
        for row in rows:
            pixels = np.rint(digits.images[row] * 255 / 16).astype(np.uint8)
            Image.fromarray(pixels).save(folder / f"{row:04d}.png", optimize=True)
    (TARGET / "README").write_text(README, encoding="utf-8")


if __name__ == "__main__":
    main()
