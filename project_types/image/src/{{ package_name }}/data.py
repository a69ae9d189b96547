"""Load, describe and download the images.

Three sources give the same arrays (images ``(n, height, width, channels)`` in [0, 1], integer
labels into a list of class names): the shipped digits sample (class folders of PNGs),
Fashion-MNIST (IDX files, downloaded by ``python -m <package> data``), or a folder of your own.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tarfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.model_selection import train_test_split

from .config import Settings, load_config
from .download import fetch, file_sha256, unpack
from .envelope import DataInfo
from .errors import DataError, DownloadError
from .idx import read_idx
from .images import load_folder
from .paths import data_dir, resolve, shown
from .settings import DataMode, add_data_argument, data_mode

FASHION_NAME = "Fashion-MNIST"
FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
FASHION_COUNTS = {"train": 60_000, "test": 10_000}
# The SHA-256 of the four files the authors publish: other files (a mirror's re-packing, your
# own IDX files) are named by where they come from, not as Fashion-MNIST's official split.
FASHION_SHA256 = {
    "train_images": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train_labels": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "test_images": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "test_labels": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}
SAMPLE_NAME = "UCI handwritten digits (scikit-learn's bundled copy), a 300-image sample"
ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")


@dataclass(frozen=True)
class ImageData:
    """The data a step actually used: both splits, their classes, and what they are."""

    x_train: np.ndarray  # (n, height, width, channels) float32 in [0, 1]
    y_train: np.ndarray  # (n,) class indices
    x_test: np.ndarray
    y_test: np.ndarray
    classes: list[str]
    name: str  # what the data is: Fashion-MNIST, the digits sample, your folder
    source: str  # where it was read from, relative to the project
    files: tuple[Path, ...]  # every file read
    split: str  # how train and test were separated
    mode: DataMode  # "sample": shipped with the project; "full": downloaded or your own
    test_ids: tuple[str, ...] = ()  # a name for each test image (file or index)
    skipped: tuple[tuple[Path, str], ...] = field(default=())  # unreadable files, and why

    @property
    def rows(self) -> int:
        """Images in both splits."""
        return len(self.y_train) + len(self.y_test)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(height, width, channels) of every image."""
        height, width, channels = self.x_train.shape[1:]
        return int(height), int(width), int(channels)

    def counts(self) -> dict[str, dict[str, int]]:
        """Images per class in each split, counted from the data."""
        return {
            part: {name: int((y == i).sum()) for i, name in enumerate(self.classes)}
            for part, y in (("train", self.y_train), ("test", self.y_test))
        }

    def description(self) -> str:
        """The data in numbers, counted from it."""
        height, width, channels = self.shape
        color = "grayscale" if channels == 1 else "RGB"
        skipped = f"; {len(self.skipped)} unreadable files skipped" if self.skipped else ""
        return (
            f"{self.rows:,} {color} images of {height}x{width} pixels in {len(self.classes)} "
            f"classes: train {len(self.y_train):,}, test {len(self.y_test):,}{skipped}"
        )

    def describe(self) -> str:
        """One line saying which data this is (shown in every report and figure)."""
        return f"{self.name}: {self.description()}"

    def label(self) -> str:
        """A short name of the data for figures."""
        return f"{self.name}: {self.rows:,} images ({len(self.y_test):,} in the test split)"

    def info(self) -> DataInfo:
        """What eval/metrics.json says about the data."""
        return DataInfo(
            name=self.name,
            mode=self.mode,
            source=self.source,
            files=self.files,
            rows=self.rows,
            fixture=False,  # every source is real images
            description=self.description(),
        )


def fashion_paths(config: Settings) -> dict[str, Path]:
    """Where the four Fashion-MNIST files are (or will be) on disk."""
    cfg = config.data.fashion_mnist
    return {key: resolve(cfg.raw_dir) / f.name for key, f in cfg.files.items()}


def read_fashion_split(images: Path, labels: Path) -> tuple[np.ndarray, np.ndarray]:
    """One split of Fashion-MNIST (or MNIST): uint8 images ``(n, 28, 28)`` and labels."""
    x, y = read_idx(images), read_idx(labels)
    if x.ndim != 3 or x.dtype != np.uint8:
        raise DataError(f"{shown(images)}: expected uint8 images (n, rows, cols), got {x.shape}")
    if y.ndim != 1 or len(y) != len(x):
        raise DataError(f"{shown(labels)}: expected {len(x):,} labels, got shape {y.shape}")
    if y.size and not (int(y.min()) >= 0 and int(y.max()) < len(FASHION_CLASSES)):
        raise DataError(f"{shown(labels)}: labels must be 0-9")
    return x, y.astype(np.int64)


def adapt(images: np.ndarray, size: Sequence[int] | None, color: str) -> np.ndarray:
    """uint8 ``(n, h, w)`` images as float32 ``(n, h', w', c)`` in [0, 1], resized with Pillow."""
    if size is not None and tuple(images.shape[1:3]) != tuple(size):
        images = np.stack(
            [
                np.asarray(
                    Image.fromarray(im).resize((size[1], size[0]), Image.Resampling.BILINEAR)
                )
                for im in images
            ]
        )
    out = images.astype(np.float32)[..., None] / 255.0
    return np.repeat(out, 3, axis=-1) if color == "rgb" else out


def load_fashion(config: Settings) -> ImageData:
    """Fashion-MNIST from ``data/raw``, in its canonical 60k/10k split."""
    paths = fashion_paths(config)
    root = resolve(config.data.fashion_mnist.raw_dir)
    if not all(p.is_file() for p in paths.values()):
        raise DataError(f"{shown(root)} has no Fashion-MNIST: run `make data` first")
    x_train, y_train = read_fashion_split(paths["train_images"], paths["train_labels"])
    x_test, y_test = read_fashion_split(paths["test_images"], paths["test_labels"])
    official = {k: f.sha256 for k, f in config.data.fashion_mnist.files.items()} == FASHION_SHA256
    counts = f"{len(y_train):,} train, {len(y_test):,} test"
    other = f"IDX files in {shown(root)} (not the published checksums)"
    size, color = config.images.size, config.images.color
    return ImageData(
        adapt(x_train, size, color),
        y_train,
        adapt(x_test, size, color),
        y_test,
        classes=list(FASHION_CLASSES),
        name=FASHION_NAME if official else other,
        source=shown(root),
        files=tuple(paths[k] for k in sorted(paths)),
        split=f"the official split ({counts})" if official else f"the files' own split ({counts})",
        mode="full",
        test_ids=tuple(f"test #{i}" for i in range(len(y_test))),
    )


def archive_tops(archive: Path) -> list[str]:
    """The top-level names inside a zip or tar archive."""
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                names = zf.namelist()
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tar:
                names = tar.getnames()
        else:
            raise DataError(f"{shown(archive)}: not a zip or tar archive")
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as err:
        raise DataError(
            f"{shown(archive)}: damaged archive ({' '.join(str(err).split())})"
        ) from None
    tops = sorted({n.replace("\\", "/").lstrip("./").split("/", 1)[0] for n in names} - {""})
    return [t for t in tops if not t.startswith((".", "__MACOSX"))]


def extract_local(archive: Path) -> Path:
    """A local archive of class folders, extracted once into ``data/processed/<name>/``."""
    stem = archive.name
    for suffix in ARCHIVES:
        stem = stem.removesuffix(suffix)
    target = data_dir() / "processed" / stem
    marker = target / ".extracted-from"
    digest = file_sha256(archive)
    if not (marker.is_file() and marker.read_text(encoding="utf-8").strip() == digest):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        unpack(archive, target, archive_tops(archive))
        marker.write_text(digest + "\n", encoding="utf-8")
    tops = [p for p in target.iterdir() if not p.name.startswith(".")]
    if len(tops) == 1 and tops[0].is_dir() and any(p.is_dir() for p in tops[0].iterdir()):
        return tops[0]  # the archive holds one folder of class folders
    return target


def download_folder(config: Settings) -> Path:
    """Download ``data.folder.url`` (an archive) and extract its folder to ``data.folder.path``."""
    cfg = config.data.folder
    if not cfg.url:
        raise DataError("data.folder.url is not set: nothing to download")
    target = resolve(cfg.path)
    fetch(cfg.url, target.parent, sha256=cfg.sha256, extract=[target.name])
    return target


def folder_root(config: Settings) -> Path:
    """The folder of class folders to read: downloaded, extracted or given."""
    cfg = config.data.folder
    path = resolve(cfg.path)
    if cfg.url and not path.exists():
        download_folder(config)
    if path.is_file() and path.name.lower().endswith(ARCHIVES):
        return extract_local(path)
    if not path.is_dir():
        raise DataError(
            f"{shown(path)} not found: set data.folder.path in configs/default.yaml to a folder "
            "of class folders (or an archive of one), or data.folder.url to download one"
        )
    return path


def split_folder(config: Settings, root: Path, name: str, mode: DataMode) -> ImageData:
    """Read a class-per-folder tree and hold out a stratified test split."""
    folder = load_folder(
        root, config.images.size, config.images.color, config.data.folder.min_per_class
    )
    indices = np.arange(len(folder.labels))
    test_size = config.data.test_size
    try:
        train, test = train_test_split(
            indices, test_size=test_size, stratify=folder.labels, random_state=config.seed
        )
    except ValueError as err:  # a test split smaller than the number of classes
        raise DataError(
            f"{shown(root)}: cannot hold out {test_size:.0%} per class ({err})"
        ) from None
    train, test = np.sort(train), np.sort(test)
    return ImageData(
        folder.images[train],
        folder.labels[train],
        folder.images[test],
        folder.labels[test],
        classes=folder.classes,
        name=name,
        source=shown(root),
        files=tuple(folder.files),
        split=f"stratified hold-out ({test_size:.0%} test, seed {config.seed})",
        mode=mode,
        test_ids=tuple(shown(folder.files[i]) for i in test),
        skipped=tuple(folder.skipped),
    )


def load_data(config: Settings, mode: str) -> ImageData:
    """The (train, test) images for the configured source and data mode, described."""
    if config.data.source == "folder":
        root = folder_root(config)
        return split_folder(config, root, f"your images in {shown(root)}", "full")
    if mode == "sample":
        archive = resolve(config.data.sample)
        if not archive.is_file():
            raise DataError(
                f"{shown(archive)} not found: restore it (git checkout {shown(archive)})"
            )
        return split_folder(config, extract_local(archive), SAMPLE_NAME, "sample")
    return load_fashion(config)


def download(config: Settings) -> Path:
    """Download Fashion-MNIST's four files (SHA-256 checked, cached), or your folder's archive."""
    if config.data.source == "folder":
        return download_folder(config)
    cfg = config.data.fashion_mnist
    directory = resolve(cfg.raw_dir)
    base = cfg.url if cfg.url.endswith("/") else cfg.url + "/"
    for item in cfg.files.values():
        fetch(base + item.name, directory, sha256=item.sha256, fname=item.name)
    paths = fashion_paths(config)
    try:
        read_fashion_split(paths["train_images"], paths["train_labels"])
        read_fashion_split(paths["test_images"], paths["test_labels"])
    except DataError as err:
        raise DownloadError(f"the download is not Fashion-MNIST: {err}") from None
    return directory


def report_skipped(data: ImageData, limit: int = 10) -> None:
    """List the unreadable files a step skipped, on stderr."""
    if not data.skipped:
        return
    print(f"warning: skipped {len(data.skipped)} unreadable image files:", file=sys.stderr)
    for path, reason in data.skipped[:limit]:
        print(f"  {shown(path)}: {reason}", file=sys.stderr)
    if len(data.skipped) > limit:
        print(f"  ... and {len(data.skipped) - limit} more", file=sys.stderr)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--summary`` describes the data instead of downloading it."""
    parser.add_argument("--summary", action="store_true", help="describe the data; no download")
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Download Fashion-MNIST into data/raw, or with ``--summary`` describe the data a mode would use."""
    config = load_config()
    if args.summary:
        data = load_data(config, data_mode(args.data))
        report_skipped(data)
        print(f"{data.describe()} (from {data.source})")
        print(f"split: {data.split}")
        for part, counts in data.counts().items():
            print(f"{part}: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
        return 0
    folder = download(config)
    data = load_data(config, "full")
    report_skipped(data)
    print(f"{shown(folder)}: {data.describe()}")
    return 0
