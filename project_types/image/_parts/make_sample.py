"""Write the image type's sample: 300 of scikit-learn's bundled 8x8 digits as PNG files.

Not part of a generated project: it documents, and reproduces byte for byte, how the sample in
data/sample/digits.zip and the two images of data/sample/examples/ were made. Run from the
repository root, with scikit-learn and Pillow:

    python project_types/image/_parts/make_sample.py

The images are real: the UCI "Optical Recognition of Handwritten Digits" test set that
scikit-learn ships as ``load_digits`` (1,797 images of 8x8 pixels, intensities 0-16; CC BY 4.0).
A seeded generator picks 30 per digit; each is scaled to 0-255 and written as an 8-bit grayscale
PNG named after its row in ``load_digits``, in one folder per class, inside one zip archive (one
file, not 300, keeps every render of the template fast); the project extracts it on first use.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits

PER_CLASS, SEED = 30, 2024
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
ARCHIVE, EXAMPLES = SAMPLE / "digits.zip", SAMPLE / "examples"
EXAMPLE_ROWS = {3: 13, 7: 52}  # shown by `predict` in the README and the Makefile
STAMP = (2024, 1, 1, 0, 0, 0)  # fixed member dates: the same images give the same bytes
README = """\
REAL DATA, a subset: 300 images (30 per digit) of the UCI "Optical Recognition of Handwritten
Digits" data set as scikit-learn ships it (sklearn.datasets.load_digits), written as 8x8 8-bit
grayscale PNGs, one folder per class. File names are the image's row in load_digits.
Source: E. Alpaydin and C. Kaynak, UCI Machine Learning Repository,
https://doi.org/10.24432/C50P49 (license: CC BY 4.0).
"""


def png(pixels: np.ndarray) -> bytes:
    """One 8-bit grayscale PNG."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def main() -> None:
    """Pick the images, write the archive of class folders and the two examples."""
    digits = load_digits()
    rng = np.random.default_rng(SEED)
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(ARCHIVE, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("digits/README", STAMP), README)
        for label in range(10):
            rows = np.sort(
                rng.choice(np.flatnonzero(digits.target == label), PER_CLASS, replace=False)
            )
            for row in rows:
                image = png(np.rint(digits.images[row] * 255 / 16).astype(np.uint8))
                member = zipfile.ZipInfo(f"digits/{label}/{row:04d}.png", STAMP)
                archive.writestr(member, image, zipfile.ZIP_DEFLATED)
                if EXAMPLE_ROWS.get(label) == row:
                    (EXAMPLES / f"{label}-{row:04d}.png").write_bytes(image)


if __name__ == "__main__":
    main()
