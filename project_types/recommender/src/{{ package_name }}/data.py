"""Download, load and validate MovieLens-format ratings (``u.data``) and titles (``u.item``).

``python -m <package>.data`` downloads MovieLens 100K into ``data/raw`` (SHA-256 checked,
progress bar, cached, atomic) and extracts ``u.data`` and ``u.item``. The URL and checksum come
from ``configs/default.yaml`` so a mirror can be used; ``--url``/``--sha256`` override them.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import requests

from .config import DATA_DIR, PROJECT_ROOT, DataMode, data_mode, load_config

RATING_COLUMNS = ["user_id", "item_id", "rating", "timestamp"]


@dataclass(frozen=True)
class Dataset:
    """Ratings and titles, and a label saying which data they are."""

    ratings: pd.DataFrame
    titles: pd.Series
    label: str


def download(url: str, sha256: str, raw_dir: Path, members: list[str]) -> list[Path]:
    """Download the archive once (checksum-verified, atomic) and extract ``members``.

    pooch streams into a temporary file, checks its SHA-256 and only then renames it, so an
    interrupted or corrupted download never leaves a file that looks complete. A cached archive
    whose hash matches is not downloaded again.
    """
    import pooch

    raw_dir.mkdir(parents=True, exist_ok=True)
    pooch.get_logger().setLevel("WARNING")
    paths = pooch.retrieve(
        url=url,
        known_hash=f"sha256:{sha256}",
        fname=url.rstrip("/").rsplit("/", 1)[-1],
        path=raw_dir,
        progressbar=True,
        processor=pooch.Unzip(members=members, extract_dir="."),
    )
    return sorted(Path(p) for p in paths)


def load_ratings(path: Path) -> pd.DataFrame:
    """Read a tab-separated ``u.data`` file and check it: user, item, rating, timestamp."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found")
    df = pd.read_csv(path, sep="\t", header=None, dtype=str, keep_default_na=False)
    if df.shape[1] != len(RATING_COLUMNS):
        raise ValueError(
            f"{path.name}: expected 4 tab-separated columns (user, item, rating, timestamp), "
            f"found {df.shape[1]}"
        )
    df.columns = RATING_COLUMNS
    numeric = df.apply(pd.to_numeric, errors="coerce")
    bad = numeric.isna().any(axis=1)
    if bad.any():
        line = int(bad.to_numpy().argmax()) + 1
        raise ValueError(
            f"{path.name}: line {line} is not four numbers: {df.iloc[line - 1].tolist()}"
        )
    return validate_ratings(numeric.astype({c: "int64" for c in RATING_COLUMNS}), path.name)


def validate_ratings(df: pd.DataFrame, name: str = "ratings") -> pd.DataFrame:
    """Check ids are positive, ratings in 1-5 and each (user, item) pair rated once."""
    if df.empty:
        raise ValueError(f"{name}: no ratings")
    if (df[["user_id", "item_id"]] < 1).any().any():
        raise ValueError(f"{name}: user and item ids must be positive integers")
    if not df["rating"].between(1, 5).all():
        raise ValueError(f"{name}: ratings must be between 1 and 5")
    if (df["timestamp"] < 0).any():
        raise ValueError(f"{name}: timestamps must be non-negative Unix times")
    duplicated = df.duplicated(["user_id", "item_id"])
    if duplicated.any():
        row = df[duplicated].iloc[0]
        raise ValueError(f"{name}: user {row.user_id} rated item {row.item_id} more than once")
    return df.reset_index(drop=True)


def load_titles(path: Path) -> pd.Series:
    """Read ``u.item`` (pipe-separated, latin-1) into a Series of titles indexed by item id."""
    items = pd.read_csv(
        path, sep="|", header=None, encoding="latin-1", usecols=[0, 1], names=["item_id", "title"]
    )
    if items["item_id"].duplicated().any():
        raise ValueError(f"{path.name}: duplicate item ids")
    return items.set_index("item_id")["title"]


def data_paths(mode: DataMode, config: dict[str, Any]) -> tuple[Path, Path]:
    """Where ``u.data`` and ``u.item`` are for the sample or the full data."""
    folder = DATA_DIR / "sample" if mode == "sample" else PROJECT_ROOT / config["data"]["raw_dir"]
    if mode == "full":
        folder = folder / config["data"]["folder"]
    return folder / "u.data", folder / "u.item"


def load_dataset(mode: DataMode | None = None, config: dict[str, Any] | None = None) -> Dataset:
    """Load and validate the ratings and titles of the sample or the full data."""
    config = config or load_config()
    mode = data_mode(mode)
    ratings_path, items_path = data_paths(mode, config)
    if not ratings_path.is_file():
        shown = (
            ratings_path.relative_to(PROJECT_ROOT)
            if ratings_path.is_relative_to(PROJECT_ROOT)
            else ratings_path
        )
        raise SystemExit(
            f"{shown} not found: run `make data` first (or use the shipped sample with DATA=sample)"
        )
    ratings = load_ratings(ratings_path)
    titles = load_titles(items_path)
    unknown = set(ratings["item_id"]) - set(titles.index)
    if unknown:
        raise ValueError(f"{items_path.name}: no title for items {sorted(unknown)[:5]}")
    label = config["data"]["labels"][mode]
    return Dataset(ratings=ratings, titles=titles, label=label)


def main(argv: list[str] | None = None) -> int:
    """Command line: download MovieLens 100K into data/raw."""
    config = load_config()
    data = config["data"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=data["url"], help="archive URL (a mirror works)")
    parser.add_argument("--sha256", default=data["sha256"], help="expected SHA-256 of it")
    parser.add_argument("--dest", type=Path, default=PROJECT_ROOT / data["raw_dir"])
    args = parser.parse_args(argv)
    members = [f"{data['folder']}/{name}" for name in ("u.data", "u.item")]
    try:
        paths = download(args.url, args.sha256, args.dest, members)
    except ValueError as err:  # pooch: the checksum does not match
        print(f"error: {args.url}: {str(err).splitlines()[0]}", file=sys.stderr)
        return 1
    except (requests.RequestException, OSError) as err:  # offline, HTTP error, disk error
        print(
            f"error: could not download {args.url} ({type(err).__name__}); check the network or "
            "set data.url to a mirror; the shipped sample still works (DATA=sample)",
            file=sys.stderr,
        )
        return 1
    ratings = load_ratings(next(p for p in paths if p.name == "u.data"))
    print(
        f"{args.dest / data['folder']}: {len(ratings)} ratings by "
        f"{ratings['user_id'].nunique()} users of {ratings['item_id'].nunique()} items"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
