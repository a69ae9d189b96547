"""Download MovieLens 100K into data/raw (SHA-256 checked, cached); load and validate ratings.

``u.data`` holds the ratings and ``u.item`` the titles. The URL and checksum come from
``configs/default.yaml`` so a mirror can be used; ``--url``/``--sha256`` override them.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .config import Settings, load_config
from .download import fetch
from .envelope import DataInfo
from .errors import DataError
from .paths import data_dir, resolve, shown
from .settings import DataMode, data_mode

RATING_COLUMNS = ["user_id", "item_id", "rating", "timestamp"]
FILES = ("u.data", "u.item")


@dataclass(frozen=True)
class Dataset:
    """Ratings and titles, and what they are (counted from them) for the reports."""

    ratings: pd.DataFrame
    titles: pd.Series
    info: DataInfo

    @property
    def label(self) -> str:
        """How reports and figures name this data."""
        return self.info.label


def describe(ratings: pd.DataFrame) -> str:
    """The data in numbers, e.g. ``1,054 ratings by 60 users of 41 items``."""
    return (
        f"{len(ratings):,} ratings by {ratings['user_id'].nunique():,} users of "
        f"{ratings['item_id'].nunique():,} items"
    )


def load_ratings(path: Path) -> pd.DataFrame:
    """Read a tab-separated ``u.data`` file and check it: user, item, rating, timestamp."""
    if not path.is_file():
        raise DataError(f"{shown(path)} not found")
    df = pd.read_csv(path, sep="\t", header=None, dtype=str, keep_default_na=False)
    if df.shape[1] != len(RATING_COLUMNS):
        raise DataError(
            f"{path.name}: expected 4 tab-separated columns (user, item, rating, timestamp), "
            f"found {df.shape[1]}"
        )
    df.columns = RATING_COLUMNS
    numeric = df.apply(pd.to_numeric, errors="coerce")
    bad = numeric.isna().any(axis=1)
    if bad.any():
        line = int(bad.to_numpy().argmax()) + 1
        raise DataError(
            f"{path.name}: line {line} is not four numbers: {df.iloc[line - 1].tolist()}"
        )
    return validate_ratings(numeric.astype({c: "int64" for c in RATING_COLUMNS}), path.name)


def validate_ratings(df: pd.DataFrame, name: str = "ratings") -> pd.DataFrame:
    """Check ids are positive, ratings in 1-5 and each (user, item) pair rated once."""
    if df.empty:
        raise DataError(f"{name}: no ratings")
    if (df[["user_id", "item_id"]] < 1).any().any():
        raise DataError(f"{name}: user and item ids must be positive integers")
    if not df["rating"].between(1, 5).all():
        raise DataError(f"{name}: ratings must be between 1 and 5")
    if (df["timestamp"] < 0).any():
        raise DataError(f"{name}: timestamps must be non-negative Unix times")
    duplicated = df.duplicated(["user_id", "item_id"])
    if duplicated.any():
        row = df[duplicated].iloc[0]
        raise DataError(f"{name}: user {row.user_id} rated item {row.item_id} more than once")
    return df.reset_index(drop=True)


def load_titles(path: Path) -> pd.Series:
    """Read ``u.item`` (pipe-separated, latin-1) into a Series of titles indexed by item id."""
    if not path.is_file():
        raise DataError(f"{shown(path)} not found")
    items = pd.read_csv(
        path, sep="|", header=None, encoding="latin-1", usecols=[0, 1], names=["item_id", "title"]
    )
    if items["item_id"].duplicated().any():
        raise DataError(f"{path.name}: duplicate item ids")
    return items.set_index("item_id")["title"]


def data_folder(mode: DataMode, settings: Settings) -> Path:
    """The folder holding ``u.data`` and ``u.item`` for the sample or the full data."""
    if mode == "sample":
        return data_dir() / "sample"
    return resolve(settings.data.raw_dir) / settings.data.folder


def load_dataset(mode: DataMode | None = None, settings: Settings | None = None) -> Dataset:
    """Load and validate the ratings and titles of the sample or the full data."""
    settings = settings or load_config()
    mode = data_mode(mode)
    folder = data_folder(mode, settings)
    ratings_path, items_path = (folder / name for name in FILES)
    if not ratings_path.is_file():
        raise DataError(
            f"{shown(ratings_path)} not found: run `make data` first "
            "(or use the shipped sample with DATA=sample)"
        )
    ratings = load_ratings(ratings_path)
    titles = load_titles(items_path)
    unknown = set(ratings["item_id"]) - set(titles.index)
    if unknown:
        raise DataError(f"{items_path.name}: no title for items {sorted(unknown)[:5]}")
    info = DataInfo(
        name=getattr(settings.data.labels, mode),
        mode=mode,
        source=shown(ratings_path) if mode == "sample" else settings.data.url,
        files=[ratings_path, items_path],
        rows=len(ratings),
        fixture=mode == "sample",
        description=describe(ratings),
    )
    return Dataset(ratings=ratings, titles=titles, info=info)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``data``: ``--url``, ``--sha256`` and ``--dest`` override the configuration."""
    parser.add_argument("--url", help="archive URL (default: data.url; a mirror works)")
    parser.add_argument("--sha256", help="its expected SHA-256 (default: data.sha256)")
    parser.add_argument("--dest", type=Path, help="where to put it (default: data.raw_dir)")


def run(args: argparse.Namespace) -> int:
    """Download and extract MovieLens 100K, then check and summarise the ratings."""
    settings = load_config()
    data = settings.data
    dest = args.dest or resolve(data.raw_dir)
    url, sha256 = args.url or data.url, args.sha256 or data.sha256
    fetch(url, dest, sha256=sha256, extract=[f"{data.folder}/{name}" for name in FILES])
    ratings = load_ratings(dest / data.folder / "u.data")
    load_titles(dest / data.folder / "u.item")
    print(f"{shown(dest / data.folder)}: {describe(ratings)}")
    return 0
