"""Get the ratings (``make data``), read them in any common shape, and check them.

The full data is whatever ``data`` in ``configs/default.yaml`` names: a URL or a local path, an
archive (zip, tar) or a plain file, with an optional SHA-256. Its ratings file is read by layout:
MovieLens's ``u.data``, ``ratings.csv`` and ``ratings.dat`` by name, or any CSV/TSV/Parquet table
with the user, item, rating and (optional) time columns given by name or position. Ids are kept
as written (``U1077`` stays ``U1077``, ``1e3`` stays ``1e3``), ratings as decimals (3.5 stays 3.5).
Every problem is one :class:`DataError` naming the file, the line and the setting to change, e.g.
``data/raw/r.csv:7: rating 'x' is not a number (set data.ratings.rating to the rating column)``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .config import DataSettings, ItemsSettings, RatingsSettings, Settings, load_config
from .download import is_archive, is_url, obtain
from .envelope import DataInfo
from .errors import DataError
from .paths import data_dir, resolve, shown
from .settings import DataMode, add_data_argument, data_mode

RATING_COLUMNS = ["user_id", "item_id", "rating", "timestamp"]
SAMPLE_NAME = "sample fixture (synthetic, made for the tests; not MovieLens)"
MOVIELENS_100K = "MovieLens 100K"
# MovieLens 100K as counted from its u.data: how the default dataset is recognised.
MOVIELENS_100K_COUNTS = (100_000, 943, 1_682)
MAX_DIGITS = 18  # Unix times are 64-bit integers
DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
WHOLE = r"[0-9]+"


@dataclass(frozen=True)
class Layout:
    """How a file of one known shape is read: separator, header, encoding, columns."""

    separator: str
    header: bool
    encoding: str
    columns: Mapping[str, str | int | None]


RATINGS_LAYOUTS = {
    "movielens-100k": Layout(
        "\t", False, "latin-1", {"user": 0, "item": 1, "rating": 2, "timestamp": 3}
    ),
    "movielens-latest": Layout(
        ",",
        True,
        "utf-8",
        {"user": "userId", "item": "movieId", "rating": "rating", "timestamp": "timestamp"},
    ),
    "movielens-1m": Layout(
        "::", False, "latin-1", {"user": 0, "item": 1, "rating": 2, "timestamp": 3}
    ),
}
ITEMS_LAYOUTS = {
    "movielens-100k": Layout("|", False, "latin-1", {"item": 0, "title": 1}),
    "movielens-latest": Layout(",", True, "utf-8", {"item": "movieId", "title": "title"}),
    "movielens-1m": Layout("::", False, "latin-1", {"item": 0, "title": 1}),
}
SEPARATORS = {".csv": ",", ".tsv": "\t", ".tab": "\t", ".dat": "::", ".data": "\t"}  # also .gz
PARQUET = (".parquet", ".pq")


@dataclass(frozen=True)
class Table:
    """A file to read: where, how, which columns, and the settings key that configures it."""

    path: Path
    separator: str | None
    header: bool
    encoding: str
    columns: Mapping[str, str | int | None]
    key: str  # e.g. "data.ratings"

    def describe(self) -> str:
        """How it was read, for the data step's summary."""
        if self.path.suffix.lower() in PARQUET:
            how = "Parquet"
        else:
            sep = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
                self.separator or "", repr(self.separator)
            )
            how = f"{sep}-separated, {'a' if self.header else 'no'} header, {self.encoding}"
        used = ", ".join(f"{k}={v!r}" for k, v in self.columns.items() if v is not None)
        return f"{how}; columns {used}"


@dataclass(frozen=True)
class Dataset:
    """Ratings and titles, and what they are (counted from them) for the reports."""

    ratings: pd.DataFrame  # user_id, item_id (text), rating (float), timestamp (int, optional)
    titles: pd.Series  # title by item id; items without one are shown by id
    info: DataInfo
    scale: tuple[float, float]
    scale_from: str  # "data.rating_scale" or "the data"

    @property
    def label(self) -> str:
        """How reports and figures name this data."""
        return self.info.label

    @property
    def has_time(self) -> bool:
        """Does every rating have a time (else splits hold out at random per user)?"""
        return "timestamp" in self.ratings.columns

    @property
    def is_movielens_100k(self) -> bool:
        """Is this MovieLens 100K (the default full data), recognised from its counts?"""
        return not self.info.fixture and counts(self.ratings) == MOVIELENS_100K_COUNTS

    def title(self, item_id: str) -> str:
        """An item's title, or ``item <id>`` without one."""
        title = self.titles.get(item_id)
        return str(title) if title is not None else f"item {item_id}"


def counts(ratings: pd.DataFrame) -> tuple[int, int, int]:
    """(ratings, users, items)."""
    return len(ratings), ratings["user_id"].nunique(), ratings["item_id"].nunique()


def describe(ratings: pd.DataFrame) -> str:
    """The data in numbers, e.g. ``1,054 ratings by 60 users of 41 items``."""
    n, users, items = counts(ratings)
    return f"{n:,} ratings by {users:,} users of {items:,} items"


def table(
    spec: RatingsSettings | ItemsSettings, path: Path, key: str, names: Sequence[str]
) -> Table:
    """The reading instructions of a file: the layout's values, overridden by explicit settings."""
    presets = RATINGS_LAYOUTS if isinstance(spec, RatingsSettings) else ITEMS_LAYOUTS
    preset = presets.get(spec.layout)
    columns: dict[str, str | int | None] = {}
    for name in names:
        value = getattr(spec, name)
        columns[name] = value if value is not None or preset is None else preset.columns[name]
    separator = spec.separator or (preset.separator if preset else None)
    suffix = Path(path.name.removesuffix(".gz")).suffix.lower()  # ratings.csv.gz: .csv
    if separator is None and suffix not in PARQUET:
        separator = SEPARATORS.get(suffix)
    header = spec.header if spec.header is not None else (preset.header if preset else True)
    encoding = spec.encoding or (preset.encoding if preset else "utf-8")
    return Table(path, separator, header, encoding, columns, key)


def _where(table: Table, row: int) -> str:
    """``<file>:<line>`` for text, ``<file>: row <n>`` for Parquet."""
    if table.path.suffix.lower() in PARQUET:
        return f"{shown(table.path)}: row {row}"
    return f"{shown(table.path)}:{row}"


def read_table(table: Table, required: Sequence[str]) -> pd.DataFrame:
    """The wanted columns of a file as text, indexed by line number (row number for Parquet).

    ``required`` columns must be configured; the others (a time) may be ``None`` (absent).
    """
    where = shown(table.path)
    if not table.path.is_file():
        raise DataError(f"{where} not found (run `make data`, or set {table.key}.path)")
    for name in required:
        if table.columns[name] is None:
            raise DataError(
                f"{where}: no {name} column (set {table.key}.{name} to its name or 0-based position)"
            )
    wanted = {k: v for k, v in table.columns.items() if v is not None}
    if table.path.suffix.lower() in PARQUET:
        frame, first = _read_parquet(table), 1
    else:
        frame, first = _read_text(table), 2 if table.header else 1
    frame.index = pd.RangeIndex(first, first + len(frame))
    names = [str(c) for c in frame.columns]
    picked = {}
    for name, column in wanted.items():
        if isinstance(column, int):
            if not 0 <= column < len(names):
                raise DataError(
                    f"{where}: {table.key}.{name} is column {column}, but the file has "
                    f"{len(names)} columns (positions 0-{len(names) - 1}; check "
                    f"{table.key}.separator)"
                )
            picked[name] = frame.iloc[:, column]
        elif not table.header:
            raise DataError(
                f"{where}: {table.key}.{name} names column {column!r}, but the file has no header "
                f"(set {table.key}.{name} to a 0-based position, or {table.key}.header to true)"
            )
        elif column not in names:
            shown_names = ", ".join(repr(n) for n in names[:12])
            raise DataError(
                f"{where}: no column {column!r} (the header has {shown_names}; set "
                f"{table.key}.{name} to one of them)"
            )
        else:
            picked[name] = frame.iloc[:, names.index(column)]
    result = pd.DataFrame(picked, index=frame.index).fillna("").astype(str)
    result = result.apply(lambda col: col.str.strip())
    blank = (result == "").all(axis=1)  # blank lines
    return result[~blank]


def _read_text(table: Table) -> pd.DataFrame:
    """A delimited text file, every value as text, blank lines kept (so line numbers hold)."""
    where = shown(table.path)
    if not table.separator:
        raise DataError(
            f"{where}: cannot tell the separator from the file name (set {table.key}.separator, "
            'e.g. "," or "\\t")'
        )
    try:
        raw = table.path.read_bytes()
        if table.path.suffix.lower() == ".gz":  # ratings.csv.gz
            raw = gzip.decompress(raw)
    except (OSError, EOFError) as err:
        reason = getattr(err, "strerror", None) or err
        raise DataError(f"{where}: cannot read it, {reason}") from None
    try:
        text = raw.decode(table.encoding)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(
            f"{where}:{line}: byte 0x{raw[err.start]:02x} is not {table.encoding} text (set "
            f"{table.key}.encoding to the file's encoding, e.g. latin-1)"
        ) from None
    except LookupError:
        raise DataError(
            f"{where}: unknown encoding {table.encoding!r} (set {table.key}.encoding to e.g. "
            "utf-8 or latin-1)"
        ) from None
    if not text.strip():
        raise DataError(f"{where}: the file is empty")
    sep = table.separator
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=sep if len(sep) == 1 else re.escape(sep),
            engine="c" if len(sep) == 1 else "python",
            header=0 if table.header else None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.ParserError as err:
        message = " ".join(str(err).split())
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
        if found:
            expected, row, saw = found.groups()
            raise DataError(
                f"{where}:{row}: expected {expected} columns, found {saw} (check "
                f"{table.key}.separator)"
            ) from None
        raise DataError(
            f"{where}: cannot parse it, {message} (check {table.key}.separator)"
        ) from None


def _read_parquet(table: Table) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(table.path)
    except ImportError:
        raise DataError(
            f"{shown(table.path)}: reading Parquet needs pyarrow (pip install pyarrow)"
        ) from None
    except (OSError, ValueError) as err:  # pyarrow's errors derive from these
        reason = " ".join(str(err).split())[:200]
        raise DataError(f"{shown(table.path)}: not a readable Parquet file ({reason})") from None
    for column in frame.columns:  # 7.0 -> "7": ids stored as floats by a writer
        values = frame[column]
        if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
            frame[column] = values.astype("Int64")
    return frame.astype(object).where(frame.notna(), "").astype(str)


def parse_ratings(
    raw: pd.DataFrame, table: Table, scale: Sequence[float] | None, duplicates: str = "error"
) -> tuple[pd.DataFrame, tuple[float, float]]:
    """Check and type the text columns ``raw`` (user, item, rating, optional timestamp)."""
    key = table.key
    if raw.empty:
        raise DataError(f"{shown(table.path)}: no ratings (check {key}.path)")
    for name in ("user", "item"):
        empty = raw[name] == ""
        if empty.any():
            line = first_flagged(empty)
            raise DataError(
                f"{_where(table, line)}: {name} id is empty (set {key}.{name} to the {name} column)"
            )
    bad = ~raw["rating"].str.fullmatch(DECIMAL)
    if bad.any():
        line = first_flagged(bad)
        raise DataError(
            f"{_where(table, line)}: rating {raw.loc[line, 'rating']!r} is not a number "
            f"(set {key}.rating to the rating column)"
        )
    df = pd.DataFrame(
        {"user_id": raw["user"], "item_id": raw["item"], "rating": raw["rating"].astype(float)}
    )
    if "timestamp" in raw.columns:
        df["timestamp"] = parse_times(raw["timestamp"], table)
    if scale is None:
        low, high = float(df["rating"].min()), float(df["rating"].max())
        if low == high:
            raise DataError(
                f"{shown(table.path)}: every rating is {low:g} (set data.rating_scale, or check "
                f"{key}.rating)"
            )
    else:
        low, high = float(scale[0]), float(scale[1])
        outside = ~df["rating"].between(low, high)
        if outside.any():
            line = first_flagged(outside)
            raise DataError(
                f"{_where(table, line)}: rating {df.loc[line, 'rating']:g} is outside "
                f"data.rating_scale [{low:g}, {high:g}] (set data.rating_scale to the data's "
                "scale, or to null to read it from the data)"
            )
    return merge_duplicates(df, table, duplicates), (low, high)


def merge_duplicates(df: pd.DataFrame, table: Table, policy: str) -> pd.DataFrame:
    """One rating per (user, item): refuse repeats, or keep the first, the last or the mean.

    ``df.attrs["merged"]`` counts the ratings dropped, for the data step's summary.
    """
    pair = ["user_id", "item_id"]
    duplicated = df.duplicated(pair)
    if duplicated.any() and policy == "error":
        line = first_flagged(duplicated)
        raise DataError(
            f"{_where(table, line)}: user {df.loc[line, 'user_id']} rated item "
            f"{df.loc[line, 'item_id']} more than once (set data.duplicates to first, last or "
            "mean to keep one rating per user and item)"
        )
    merged = int(duplicated.sum())
    if merged:
        if policy == "mean":
            extra = {"timestamp": ("timestamp", "max")} if "timestamp" in df.columns else {}
            grouped = df.reset_index().groupby(pair, sort=False)
            df = grouped.agg(line=("index", "first"), rating=("rating", "mean"), **extra)
            df = df.reset_index().set_index("line").rename_axis(None)
        else:
            ordered = df.sort_values("timestamp", kind="stable") if "timestamp" in df else df
            df = ordered[~ordered.duplicated(pair, keep=policy)].sort_index()  # type: ignore[arg-type]
    df.attrs["merged"] = merged
    return df


def parse_times(values: pd.Series, table: Table) -> pd.Series:
    """Unix seconds as written, or dates (ISO 8601, e.g. 2005-09-06) turned into seconds.

    The first value decides which: a column mixing the two is an error at the first odd one.
    """
    hint = f"(set {table.key}.timestamp to the time column, or to null if there is none)"
    whole = values.str.fullmatch(WHOLE)
    if whole.iloc[0]:
        if not whole.all():
            line = first_flagged(~whole)
            raise DataError(
                f"{_where(table, line)}: timestamp {values[line]!r} is not Unix seconds like the "
                f"first row's {hint}"
            )
        long = values.str.lstrip("0").str.len() > MAX_DIGITS
        if long.any():
            line = first_flagged(long)
            raise DataError(
                f"{_where(table, line)}: timestamp {values[line]} is too large (at most "
                f"{MAX_DIGITS} digits of Unix seconds)"
            )
        return values.astype("int64")
    dates = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    bad = dates.isna() | whole
    if bad.any():
        line = first_flagged(bad)
        raise DataError(
            f"{_where(table, line)}: timestamp {values[line]!r} is neither Unix seconds nor a date "
            f"{hint}"
        )
    return (dates - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)


def first_flagged(mask: pd.Series) -> int:
    """The index label (a line number) of the first True in ``mask``."""
    return int(mask.index[mask.to_numpy()][0])


def load_ratings(
    path: Path,
    scale: Sequence[float] | None = (1.0, 5.0),
    spec: RatingsSettings | None = None,
    duplicates: str = "error",
) -> pd.DataFrame:
    """Read and check a ratings file (``u.data`` unless ``spec`` says otherwise)."""
    return read_ratings(ratings_table(path, spec), scale, duplicates)[0]


def read_ratings(
    table: Table, scale: Sequence[float] | None, duplicates: str = "error"
) -> tuple[pd.DataFrame, tuple[float, float]]:
    """Read and check the ratings of ``table``; also return the rating scale used."""
    raw = read_table(table, ("user", "item", "rating"))
    return parse_ratings(raw, table, scale, duplicates)


def ratings_table(path: Path, spec: RatingsSettings | None = None) -> Table:
    """How to read a ratings file: by ``spec``, or as MovieLens 100K's ``u.data``."""
    spec = spec or SAMPLE_RATINGS
    return table(spec, path, "data.ratings", ("user", "item", "rating", "timestamp"))


def load_titles(path: Path, spec: ItemsSettings | None = None) -> pd.Series:
    """Titles by item id from an items file (``u.item`` unless ``spec`` says otherwise)."""
    spec = spec or SAMPLE_ITEMS
    items = table(spec, path, "data.items", ("item", "title"))
    raw = read_table(items, ("item", "title"))
    if raw.empty:
        raise DataError(f"{shown(path)}: no items (check data.items.path)")
    empty = raw["item"] == ""
    if empty.any():
        line = first_flagged(empty)
        raise DataError(
            f"{_where(items, line)}: item id is empty (set data.items.item to the id column)"
        )
    duplicated = raw["item"].duplicated()
    if duplicated.any():
        line = first_flagged(duplicated)
        raise DataError(
            f"{_where(items, line)}: item {raw.loc[line, 'item']} is listed twice (keep one line "
            "per item)"
        )
    return raw.set_index("item")["title"]


SAMPLE_RATINGS = RatingsSettings(layout="movielens-100k")  # the shipped u.data
SAMPLE_ITEMS = ItemsSettings(layout="movielens-100k")  # the shipped u.item


def source_file(source: str, member: str | None, raw_dir: Path, key: str) -> Path:
    """Where a configured file lies once obtained (see :func:`~.download.obtain`).

    A plain file source is the file itself; ``member`` names the file inside an archive (then
    extracted into ``raw_dir``) or a folder.
    """
    if is_url(source):
        obtained = raw_dir / source.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    else:
        obtained = resolve(source)
    if obtained.is_dir():
        if not member:
            raise DataError(f"{source} is a folder (set {key}.path to the file in it)")
        return obtained / member
    if obtained.is_file() and not is_archive(obtained):
        return obtained
    return raw_dir / member if member else obtained


def ratings_file(data: DataSettings) -> Path:
    """The full data's ratings file."""
    return source_file(data.source, data.ratings.path, resolve(data.raw_dir), "data.ratings")


def items_file(data: DataSettings) -> Path | None:
    """The full data's items file, if one is configured."""
    items = data.items
    if items is None:
        return None
    if items.source:
        return source_file(items.source, items.path, resolve(data.raw_dir), "data.items")
    path = source_file(data.source, items.path, resolve(data.raw_dir), "data.items")
    if path == ratings_file(data):
        raise DataError(
            f"{data.source} is one plain file, so it holds no {items.path or 'item file'} "
            "(set data.items to null, or data.items.source to the item file)"
        )
    return path


def dataset_name(data: DataSettings, path: Path, ratings: pd.DataFrame) -> str:
    """The setting data.name; else MovieLens 100K if the data is it, else the file's name."""
    if data.name:
        return data.name
    if counts(ratings) == MOVIELENS_100K_COUNTS:
        return MOVIELENS_100K
    return path.name


def load_dataset(mode: DataMode | None = None, settings: Settings | None = None) -> Dataset:
    """Load and check the ratings (and titles) of the sample or the full data."""
    settings = settings or load_config()
    mode = data_mode(mode)
    data = settings.data
    items_path: Path | None
    if mode == "sample":
        folder = data_dir() / "sample"
        ratings_path, items_path = folder / "u.data", folder / "u.item"
        ratings, scale = read_ratings(ratings_table(ratings_path), (1.0, 5.0))
        titles, scale_from = load_titles(items_path), "the sample's 1-5 stars"
    else:
        ratings_path, items_path = ratings_file(data), items_file(data)
        if not ratings_path.is_file():
            raise DataError(
                f"{shown(ratings_path)} not found: run `make data` first (or use the shipped "
                "sample with DATA=sample)"
            )
        table_ = ratings_table(ratings_path, data.ratings)
        ratings, scale = read_ratings(table_, data.rating_scale, data.duplicates)
        titles = load_titles(items_path, data.items) if items_path else pd.Series(dtype=str)
        scale_from = "data.rating_scale" if data.rating_scale else "the data"
    threshold = settings.evaluation.relevance_threshold
    if not scale[0] <= threshold <= scale[1]:
        raise DataError(
            f"{shown(ratings_path)}: evaluation.relevance_threshold {threshold:g} is outside the "
            f"ratings' scale [{scale[0]:g}, {scale[1]:g}] (set evaluation.relevance_threshold "
            "to a rating on that scale)"
        )
    info = DataInfo(
        name=SAMPLE_NAME if mode == "sample" else dataset_name(data, ratings_path, ratings),
        mode=mode,
        source=shown(ratings_path) if mode == "sample" else data.source,
        files=[p for p in (ratings_path, items_path) if p is not None and p.is_file()],
        rows=len(ratings),
        fixture=mode == "sample",
        description=describe(ratings),
    )
    return Dataset(ratings, titles, info, scale, scale_from)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``data``: ``--source``, ``--sha256`` and ``--dest`` override the configuration;
    ``--summary`` describes the data instead of downloading it."""
    parser.add_argument("--source", "--url", help="URL or path (default: data.source)")
    parser.add_argument("--sha256", help="its expected SHA-256 (default: data.sha256)")
    parser.add_argument("--dest", type=Path, help="where downloads go (default: data.raw_dir)")
    parser.add_argument("--summary", action="store_true", help="describe the data; no download")
    add_data_argument(parser)


def summary(dataset: Dataset, settings: Settings) -> list[str]:
    """What the data step read, in a few lines."""
    data = settings.data
    ratings = dataset.ratings
    low, high = dataset.scale
    path, *item_files = dataset.info.files
    spec = None if dataset.info.fixture else data.ratings  # the sample's layout is its own
    lines = [
        f"read {shown(path)} ({ratings_table(path, spec).describe()})",
        f"  {dataset.label}",
        f"  ratings {low:g}-{high:g} (from {dataset.scale_from}); mean {ratings['rating'].mean():.2f}"
        + ("; half stars kept" if (ratings["rating"] % 1 != 0).any() else ""),
    ]
    merged = int(ratings.attrs.get("merged", 0))
    if merged:
        lines.append(
            f"  {merged:,} repeated ratings of an item by one user: kept the {data.duplicates}"
        )
    if dataset.has_time:
        first, last = (
            pd.to_datetime(ratings["timestamp"].agg(f), unit="s") for f in ("min", "max")
        )
        lines.append(f"  times {first:%Y-%m-%d} to {last:%Y-%m-%d}: per-user time split")
    else:
        lines.append("  no times: each user's test ratings are drawn at random (seeded)")
    if not item_files:
        lines.append("  no item file (data.items is null): items are shown by id")
    else:
        titled = np.isin(ratings["item_id"].unique(), dataset.titles.index).mean()
        lines.append(
            f"  titles from {shown(item_files[0])}: {len(dataset.titles):,} items, "
            f"{titled:.0%} of rated items"
        )
    return lines


def run(args: argparse.Namespace) -> int:
    """Get the full data (URL or path, checksum-verified), check it and say what was read
    (``--summary``: describe the data a mode uses, with no download)."""
    settings = load_config()
    if args.summary:
        mode = data_mode(args.data)
        print("\n".join(summary(load_dataset(mode, settings), settings)))
        return 0
    data = settings.data
    if args.source or args.sha256:
        data = data.model_copy(
            update={"source": args.source or data.source, "sha256": args.sha256 or data.sha256}
        )
    if args.dest:
        data = data.model_copy(update={"raw_dir": str(args.dest)})
    settings = settings.model_copy(update={"data": data})
    raw_dir = resolve(data.raw_dir)
    items = data.items
    own_items = items is not None and items.source is not None
    members = [m for m in (data.ratings.path, None if own_items else items and items.path) if m]

    def check(_: Path) -> None:  # a rejected file is not kept (see obtain)
        read_ratings(
            ratings_table(ratings_file(data), data.ratings), data.rating_scale, data.duplicates
        )
        path = items_file(data)
        if path is not None and not own_items:
            load_titles(path, data.items)

    obtain(data.source, raw_dir, sha256=data.sha256, extract=members, check=check)
    if items is not None and items.source is not None:
        item_members = [items.path] if items.path else []
        obtain(
            items.source,
            raw_dir,
            sha256=items.sha256,
            extract=item_members,
            check=lambda _: load_titles(items_file(data) or Path(), items),
            key="data.items.source",
        )
    dataset = load_dataset("full", settings)
    print("\n".join(summary(dataset, settings)))
    return 0
