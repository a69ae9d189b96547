"""Load, validate, describe and download the review data.

Three sources give the same frames (columns ``id``, ``text``, ``label`` with 1 = positive and
0 = negative): the shipped fixture and the downloaded IMDB set (both in the ``aclImdb`` layout),
or a CSV of your own. ``python -m <package> data`` downloads IMDB into ``data/raw``.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.model_selection import train_test_split

from .config import Settings, load_config
from .download import fetch
from .envelope import DataInfo
from .errors import DataError
from .paths import resolve, shown
from .settings import DataMode, add_data_argument, data_mode

LABEL_NAMES = {0: "negative", 1: "positive"}
IMDB_NAME = "IMDB Large Movie Review Dataset v1.0"
IMDB_COUNTS = {0: 12_500, 1: 12_500}  # per class, in each split of the real dataset
FIXTURE_NAME = "FIXTURE (hand-written reviews in the IMDB layout; not real data)"
_FILENAME = re.compile(r"^(\d+)_(\d+)\.txt$")


@dataclass(frozen=True)
class Reviews:
    """The data a step actually used: both splits, and what they are."""

    train: pd.DataFrame
    test: pd.DataFrame
    name: str  # what the data is, e.g. the IMDB dataset, the fixture, your CSV
    source: str  # where it was read from: a folder or a file, relative to the project
    files: tuple[Path, ...]  # every file read
    fixture: bool  # written for the tests, not real data
    split: str  # how train and test were separated
    mode: DataMode  # "sample": shipped with the project; "full": downloaded or your own

    @property
    def rows(self) -> int:
        """Reviews in both splits."""
        return len(self.train) + len(self.test)

    def counts(self) -> dict[str, dict[str, int]]:
        """Reviews per class in each split, counted from the data."""
        return {
            part: {LABEL_NAMES[label]: int((frame["label"] == label).sum()) for label in (1, 0)}
            for part, frame in (("train", self.train), ("test", self.test))
        }

    def description(self) -> str:
        """The data in numbers, counted from it: reviews per split and class."""
        per_split = "; ".join(
            f"{part} {c['positive'] + c['negative']:,} ({c['positive']:,} positive, "
            f"{c['negative']:,} negative)"
            for part, c in self.counts().items()
        )
        return f"{self.rows:,} reviews: {per_split}"

    def describe(self) -> str:
        """One line saying which data this is (shown in every report and figure)."""
        return f"{self.name}: {self.description()}"

    def label(self) -> str:
        """A short name of the data for figures, e.g. ``FIXTURE (not real data): 64 reviews``."""
        name = "FIXTURE (not real data)" if self.fixture else self.name
        return f"{name}: {self.rows:,} reviews ({len(self.test):,} in the test split)"

    def info(self) -> DataInfo:
        """What eval/metrics.json says about the data."""
        return DataInfo(
            name=self.name,
            mode=self.mode,
            source=self.source,
            files=self.files,
            rows=self.rows,
            fixture=self.fixture,
            description=self.description(),
        )


def imdb_files(root: Path, split: str) -> list[Path]:
    """The review files of one split of an aclImdb folder, in the order they are read."""
    return [
        path for folder in ("neg", "pos") for path in sorted((root / split / folder).glob("*.txt"))
    ]


def load_imdb_split(root: Path, split: str) -> pd.DataFrame:
    """Read ``root/<split>/{pos,neg}/<id>_<rating>.txt`` into a frame of text, label and rating."""
    rows: list[dict[str, Any]] = []
    for folder, label in (("neg", 0), ("pos", 1)):
        directory = root / split / folder
        if not directory.is_dir():
            raise DataError(f"{shown(directory)} is missing: not an aclImdb layout")
        for path in sorted(directory.glob("*.txt")):
            match = _FILENAME.match(path.name)
            if not match:
                raise DataError(f"{shown(path)}: expected a name like 123_8.txt")
            rows.append(
                {
                    "id": f"{split}/{folder}/{match[1]}",
                    "text": read_review(path),
                    "label": label,
                    "rating": int(match[2]),
                }
            )
    frame = pd.DataFrame(rows, columns=["id", "text", "label", "rating"])
    return validate_reviews(frame, f"{shown(root)}/{split}")


def read_review(path: Path) -> str:
    """One review file's text (UTF-8, as the IMDB files are), stripped."""
    try:
        return path.read_bytes().decode("utf-8").strip()
    except UnicodeDecodeError:
        raise DataError(not_text(path, "utf-8", "save the review as UTF-8 text")) from None
    except OSError as err:
        raise DataError(
            f"{shown(path)}: cannot read it, {err.strerror or err} (reviews are text files)"
        ) from None


def not_text(path: Path, encoding: str, hint: str) -> str:
    """The message for a file that does not decode: the file, the line, the first bad byte."""
    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        byte = data[err.start]
        return f"{shown(path)}:{line}: byte 0x{byte:02x} is not {encoding} text ({hint})"
    return f"{shown(path)}: is not {encoding} text ({hint})"


def validate_reviews(df: pd.DataFrame, where: str = "reviews") -> pd.DataFrame:
    """Check a review frame: non-empty texts, labels 0/1, both classes, ratings that agree."""
    if df.empty:
        raise DataError(f"{where}: no reviews found")
    missing = {"text", "label"} - set(df.columns)
    if missing:
        raise DataError(f"{where}: missing columns {sorted(missing)}")
    if df["text"].isna().any() or (df["text"].astype(str).str.strip() == "").any():
        raise DataError(f"{where}: empty review text")
    if not df["label"].isin([0, 1]).all():
        raise DataError(f"{where}: labels must be 0 (negative) or 1 (positive)")
    if df["label"].nunique() < 2:
        raise DataError(f"{where}: both classes are needed")
    if "rating" in df.columns:
        wrong = (df["label"] == 1) & (df["rating"] < 7) | (df["label"] == 0) & (df["rating"] > 4)
        if wrong.any():
            raise DataError(f"{where}: {int(wrong.sum())} ratings disagree with their label")
    return df.reset_index(drop=True)


def load_csv(
    path: Path,
    text_column: str,
    label_column: str,
    positive_label: Any,
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Read a CSV of your own: ``positive_label`` in ``label_column`` means positive."""
    if not path.is_file():
        raise DataError(f"{shown(path)} not found: set data.csv.path in configs/default.yaml")
    try:
        df = pd.read_csv(path, encoding=encoding)
    except UnicodeDecodeError:
        hint = f"save the file as {encoding}, or set data.csv.encoding to its encoding"
        raise DataError(not_text(path, encoding, hint)) from None
    except LookupError:
        raise DataError(
            f"{shown(path)}: unknown encoding {encoding!r} (set data.csv.encoding to e.g. utf-8)"
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(
            f"{shown(path)}: empty file (write a header with {text_column} and {label_column}, "
            "then one review a line)"
        ) from None
    except pd.errors.ParserError as err:
        reason = " ".join(str(err).split())
        raise DataError(
            f"{shown(path)}: cannot read as CSV, {reason} (check its quoting)"
        ) from None
    missing = {text_column, label_column} - set(df.columns)
    if missing:
        raise DataError(f"{path.name}: missing columns {sorted(missing)}; see data.csv in configs")
    labels = df[label_column].astype(str).str.strip()
    if labels.nunique() != 2:
        raise DataError(f"{path.name}: '{label_column}' must hold exactly two values")
    if str(positive_label) not in set(labels):
        raise DataError(f"{path.name}: no row has {label_column} == {positive_label!r}")
    frame = pd.DataFrame(
        {
            "id": [f"csv/{i}" for i in range(len(df))],
            "text": df[text_column],
            "label": (labels == str(positive_label)).astype(int),
        }
    )
    return validate_reviews(frame, path.name)


def is_fixture(root: Path) -> bool:
    """Whether an aclImdb folder says it is a fixture: its README starts with ``FIXTURE``."""
    readme = root / "README"
    if not readme.is_file():
        return False
    return readme.read_text(encoding="utf-8", errors="replace").lstrip().startswith("FIXTURE")


def load_data(config: Settings, mode: str) -> Reviews:
    """The (train, test) reviews for the configured source and data mode, described."""
    cfg = config.data
    if cfg.source == "csv":
        csv = cfg.csv
        path = resolve(csv.path)
        df = load_csv(path, csv.text_column, csv.label_column, csv.positive_label, csv.encoding)
        if int(df["label"].value_counts().min()) < 2:
            raise DataError(f"{path.name}: each class needs at least 2 reviews to split")
        train, test = train_test_split(
            df, test_size=csv.test_size, stratify=df["label"], random_state=config.seed
        )
        return Reviews(
            train.reset_index(drop=True),
            test.reset_index(drop=True),
            name=f"your CSV {path.name}",
            source=shown(path),
            files=(path,),
            fixture=False,
            split=f"stratified hold-out ({csv.test_size:.0%} test, seed {config.seed})",
            mode="full",
        )
    root = resolve(cfg.sample_dir if mode == "sample" else cfg.raw_dir)
    if not root.is_dir():
        hint = "run `make data` first (or use DATA=sample)" if mode == "full" else "restore it"
        raise DataError(f"{shown(root)} not found: {hint}")
    fixture = is_fixture(root)
    train, test = load_imdb_split(root, "train"), load_imdb_split(root, "test")
    imdb = not fixture and all(
        frame["label"].value_counts().to_dict() == IMDB_COUNTS for frame in (train, test)
    )
    if fixture:
        name, split = FIXTURE_NAME, "the fixture's own train/ and test/ folders"
    elif imdb:
        name, split = IMDB_NAME, "the official train/test split (25k/25k; no movie in both)"
    else:
        name, split = (
            f"reviews in the aclImdb layout from {shown(root)}",
            "its own train/ and test/ folders",
        )
    return Reviews(
        train,
        test,
        name=name,
        source=shown(root),
        files=tuple(imdb_files(root, "train") + imdb_files(root, "test")),
        fixture=fixture,
        split=split,
        mode="sample" if mode == "sample" else "full",
    )


def load_splits(config: Settings, mode: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Just the (train, test) frames."""
    reviews = load_data(config, mode)
    return reviews.train, reviews.test


def download(config: Settings) -> Path:
    """Download the IMDB archive (SHA-256 checked, cached) and extract ``aclImdb/``.

    Only that folder is moved into ``data/raw`` (other files there are left alone), and only
    once both of its splits load: a rejected archive leaves ``data/raw`` as it was.
    """
    cfg = config.data
    target = resolve(cfg.raw_dir)

    def check(_: Path) -> None:
        load_imdb_split(target, "train")
        load_imdb_split(target, "test")

    fetch(
        cfg.url,
        target.parent,
        sha256=cfg.sha256,
        fname=cfg.archive,
        extract=[target.name],
        check=check,
    )
    return target


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--summary`` describes the data instead of downloading it."""
    parser.add_argument("--summary", action="store_true", help="describe the data; no download")
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Download IMDB into data/raw, or with ``--summary`` describe the data a mode would use."""
    config = load_config()
    if args.summary:
        reviews = load_data(config, data_mode(args.data))
        print(f"{reviews.describe()} (from {reviews.source})")
        print(f"split: {reviews.split}")
        return 0
    folder = download(config)
    train, test = load_imdb_split(folder, "train"), load_imdb_split(folder, "test")
    print(f"{shown(folder)}: {len(train):,} train and {len(test):,} test reviews")
    return 0
