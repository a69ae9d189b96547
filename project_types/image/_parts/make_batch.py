"""Write the image type's example monitoring batch: 100 more of scikit-learn's bundled digits.

Not part of a generated project: it documents, and reproduces byte for byte, how
data/monitor/digits-batch.zip (the `monitoring` option) was made. Run from the repository root,
with scikit-learn and Pillow, after make_sample.py's choice of the sample:

    python project_types/image/_parts/make_batch.py

Real images, none in the sample: a seeded generator picks 10 per digit among the rows of
``load_digits`` that make_sample.py did not pick, written the same way (8-bit grayscale PNGs in
one folder per class, named after their row).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
from make_sample import ARCHIVE, STAMP, png
from sklearn.datasets import load_digits

PER_CLASS, SEED = 10, 2025
BATCH = Path(__file__).resolve().parents[1] / "data" / "{% if monitoring %}monitor{% endif %}"
README = """\
REAL DATA, a monitoring batch: 100 images (10 per digit) of the UCI "Optical Recognition of
Handwritten Digits" data set as scikit-learn ships it (sklearn.datasets.load_digits), none of
them in data/sample/digits.zip; 8x8 8-bit grayscale PNGs, one folder per class, named after the
image's row in load_digits. Source: E. Alpaydin and C. Kaynak, UCI Machine Learning Repository,
https://doi.org/10.24432/C50P49 (license: CC BY 4.0).
"""


def main() -> None:
    """Pick rows outside the sample and write the archive of class folders."""
    digits = load_digits()
    with zipfile.ZipFile(ARCHIVE) as sample:
        taken = {int(m) for m in re.findall(r"/(\d{4})\.png", " ".join(sample.namelist()))}
    rng = np.random.default_rng(SEED)
    BATCH.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(BATCH / "digits-batch.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("digits-batch/README", STAMP), README)
        for label in range(10):
            free = [r for r in np.flatnonzero(digits.target == label) if int(r) not in taken]
            for row in np.sort(rng.choice(free, PER_CLASS, replace=False)):
                image = png(np.rint(digits.images[row] * 255 / 16).astype(np.uint8))
                member = zipfile.ZipInfo(f"digits-batch/{label}/{row:04d}.png", STAMP)
                archive.writestr(member, image, zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    main()
