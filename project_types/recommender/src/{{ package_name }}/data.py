"""Download MovieLens 100K into data/raw (SHA-256 checked, cached); load and validate ratings.

``u.data`` holds the ratings and ``u.item`` the titles. The URL and checksum come from
``configs/default.yaml`` so a mirror can be used; ``--url``/``--sha256`` override them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
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
DEFAULT_SCALE = (1.0, 5.0)  # MovieLens; a project's scale is the setting data.rating_scale
FORMAT_HINT = "u.data holds one rating a line: user id, item id, rating, Unix time, tab-separated"
ITEM_HINT = "u.item holds one item a line: id|title|..., the id in plain digits"
MAX_DIGITS = 18  # ids and timestamps are 64-bit integers
_WHOLE = r"[0-9]+"
_IDS = "write ids as plain digits, e.g. 1077: they are read as written, so 1e3 or U1077 is refused"
# What each column must look like, and how a message says so.
FIELD_FORMATS = {
    "user_id": (_WHOLE, f"a whole number ({_IDS})"),
    "item_id": (_WHOLE, f"a whole number ({_IDS})"),
    "rating": (
        r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)",
        "a number (write a decimal on data.rating_scale, e.g. 4 or 3.5)",
    ),
    "timestamp": (_WHOLE, "a whole number (write Unix times in seconds, as plain digits)"),
}


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


def first_flagged(mask: pd.Series) -> int:
    """The index label (a line number) of the first True in ``mask``."""
    return int(mask.index[mask.to_numpy()][0])


def describe(ratings: pd.DataFrame) -> str:
    """The data in numbers, e.g. ``1,054 ratings by 60 users of 41 items``."""
    return (
        f"{len(ratings):,} ratings by {ratings['user_id'].nunique():,} users of "
        f"{ratings['item_id'].nunique():,} items"
    )


def load_ratings(path: Path, scale: Sequence[float] = DEFAULT_SCALE) -> pd.DataFrame:
    """Read a tab-separated ``u.data`` file and check it: user, item, rating, timestamp.

    Values are read as written: ids and timestamps must be whole numbers in plain digits (an id
    like ``1e3`` or ``U1077`` is refused, never turned into 1000 or dropped); a rating is any
    decimal number on ``scale`` (the setting ``data.rating_scale``), so a half star 3.5 stays
    3.5. Every problem is one :class:`DataError` naming the file and line, e.g.
    ``data/raw/ml-100k/u.data:7: rating 'inf' is not a number (...)``.
    """
    if not path.is_file():
        raise DataError(f"{shown(path)} not found")
    where = shown(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise DataError(
            f"{where}:{line}: byte 0x{err.object[err.start]:02x} is not text ({FORMAT_HINT})"
        ) from None
    except OSError as err:
        raise DataError(
            f"{where}: cannot read it, {err.strerror or err} (check the file's permissions)"
        ) from None
    lines = pd.Series([line.removesuffix("\r") for line in text.split("\n")])
    lines.index = pd.RangeIndex(1, len(lines) + 1)  # line numbers
    lines = lines[lines != ""]  # blank lines (and the final newline) are skipped
    if lines.empty:
        raise DataError(f"{where}: no ratings ({FORMAT_HINT})")
    fields = lines.str.split("\t")
    counts = fields.str.len()
    if (counts != len(RATING_COLUMNS)).any():
        line = first_flagged(counts != len(RATING_COLUMNS))
        raise DataError(
            f"{where}:{line}: expected 4 tab-separated columns, found {counts[line]} "
            f"({FORMAT_HINT})"
        )
    raw = pd.DataFrame(fields.tolist(), index=lines.index, columns=RATING_COLUMNS)
    for column, (pattern, what) in FIELD_FORMATS.items():
        bad = ~raw[column].str.fullmatch(pattern)
        if bad.any():
            line = first_flagged(bad)
            value = raw.loc[line, column]
            raise DataError(f"{where}:{line}: {column.replace('_', ' ')} {value!r} is not {what}")
    for column in ("user_id", "item_id", "timestamp"):
        long = raw[column].str.lstrip("0").str.len() > MAX_DIGITS
        if long.any():
            line = first_flagged(long)
            raise DataError(
                f"{where}:{line}: {column.replace('_', ' ')} {raw.loc[line, column]} is too large "
                f"(at most {MAX_DIGITS} digits)"
            )
    types = {"user_id": "int64", "item_id": "int64", "rating": "float64", "timestamp": "int64"}
    df = raw.astype(types)
    return validate_ratings(df, where, scale, numbered=True)


def validate_ratings(
    df: pd.DataFrame,
    name: str = "ratings",
    scale: Sequence[float] = DEFAULT_SCALE,
    *,
    numbered: bool = False,
) -> pd.DataFrame:
    """Check ids are positive, ratings on ``scale`` and each (user, item) pair rated once.

    With ``numbered``, ``df``'s index holds line numbers (as :func:`load_ratings` sets it) and
    messages name the line as ``<name>:<line>``.
    """
    if df.empty:
        raise DataError(f"{name}: no ratings ({FORMAT_HINT})")

    def at(mask: pd.Series) -> tuple[str, dict[str, object]]:
        """Where the first flagged row is (``:<line>`` or nothing), and its values."""
        label = first_flagged(mask)
        row = {column: df.loc[label, column] for column in RATING_COLUMNS}
        return (f":{label}" if numbered else ""), row

    for column in ("user_id", "item_id"):
        bad = df[column] < 1
        if bad.any():
            line, row = at(bad)
            what = column.replace("_", " ")
            raise DataError(
                f"{name}{line}: {what} {row[column]} is not positive (ids are whole numbers >= 1)"
            )
    low, high = scale
    bad = ~df["rating"].between(low, high)
    if bad.any():
        line, row = at(bad)
        raise DataError(
            f"{name}{line}: rating {row['rating']:g} is outside data.rating_scale "
            f"[{low:g}, {high:g}] (fix the rating, or set data.rating_scale in "
            "configs/default.yaml to the data's scale)"
        )
    bad = df["timestamp"] < 0
    if bad.any():
        line, row = at(bad)
        raise DataError(
            f"{name}{line}: timestamp {row['timestamp']} is negative (Unix times are >= 0)"
        )
    duplicated = df.duplicated(["user_id", "item_id"])
    if duplicated.any():
        line, row = at(duplicated)
        raise DataError(
            f"{name}{line}: user {row['user_id']} rated item {row['item_id']} more than once "
            "(keep one rating per user and item)"
        )
    return df.reset_index(drop=True)


def load_titles(path: Path) -> pd.Series:
    """Read ``u.item`` (pipe-separated, latin-1) into a Series of titles indexed by item id."""
    if not path.is_file():
        raise DataError(f"{shown(path)} not found")
    where = shown(path)
    try:
        items = pd.read_csv(
            path,
            sep="|",
            header=None,
            encoding="latin-1",
            usecols=[0, 1],
            names=["item_id", "title"],
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        raise DataError(f"{where}: no items ({ITEM_HINT})") from None
    except (pd.errors.ParserError, ValueError) as err:
        reason = " ".join(str(err).split())
        raise DataError(f"{where}: cannot read it: {reason} ({ITEM_HINT})") from None
    items.index = pd.RangeIndex(1, len(items) + 1)  # line numbers
    items = items[(items["item_id"] != "") | (items["title"] != "")]  # blank lines
    if items.empty:
        raise DataError(f"{where}: no items ({ITEM_HINT})")
    bad = ~items["item_id"].str.fullmatch(_WHOLE) | (items["item_id"].str.len() > MAX_DIGITS)
    if bad.any():
        line = first_flagged(bad)
        raise DataError(
            f"{where}:{line}: item id {items.loc[line, 'item_id']!r} is not a whole number "
            f"({ITEM_HINT})"
        )
    items = items.astype({"item_id": "int64"})
    duplicated = items["item_id"].duplicated()
    if duplicated.any():
        line = first_flagged(duplicated)
        raise DataError(
            f"{where}:{line}: item {items.loc[line, 'item_id']} is listed twice (keep one line "
            "per item)"
        )
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
    ratings = load_ratings(ratings_path, settings.data.rating_scale)
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
    folder = dest / data.folder

    def check(_: Path) -> None:  # a rejected u.data or u.item is not kept (see fetch)
        load_ratings(folder / "u.data", data.rating_scale)
        load_titles(folder / "u.item")

    fetch(
        url, dest, sha256=sha256, extract=[f"{data.folder}/{name}" for name in FILES], check=check
    )
    ratings = load_ratings(folder / "u.data", data.rating_scale)
    print(f"{shown(folder)}: {describe(ratings)}")
    return 0
