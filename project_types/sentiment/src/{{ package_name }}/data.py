"""Load, describe and fetch the labelled texts of ``data.full`` (DATA=full) or ``data.sample``.

Each is described in configs/default.yaml by a source (a URL, or a local file, archive or
folder), an optional SHA-256, a shape (``table`` or ``folders``), an encoding and what its labels
mean; :mod:`.readers` reads the shapes. Every source gives the same frames: columns ``id`` (where
the text is), ``text`` and ``label`` (1 = positive, 0 = negative). ``make data`` downloads a URL
source into ``data/raw`` (checksum-verified, atomic, cached) and prints what it read.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import pandas as pd
from sklearn.model_selection import train_test_split

from .config import Settings, SourceSettings, load_config
from .download import fetch, file_sha256
from .envelope import DataInfo
from .errors import DataError
from .paths import data_dir, resolve, shown
from .readers import (
    LABELS,
    Labeller,
    Texts,
    archive_member,
    is_archive,
    read_folders,
    read_table,
    table_kind,
)
from .settings import DataMode, add_data_argument, data_mode

LABEL_NAMES = dict(enumerate(LABELS))
IMDB_NAME = "IMDB Large Movie Review Dataset v1.0"
IMDB_COUNTS = {0: 12_500, 1: 12_500}  # per class, in each split of the real dataset


@dataclass(frozen=True)
class Reviews:
    """The data a step actually used: both splits, where they came from and how they were read."""

    train: pd.DataFrame
    test: pd.DataFrame
    name: str  # what the data is: IMDB, the fixture, or the file it came from
    source: str  # as configured: a URL or a path
    files: tuple[Path, ...]  # every file read (their checksum goes into eval/metrics.json)
    fixture: bool  # written for the tests, not real data
    imdb: bool  # the whole IMDB dataset, recognised from its layout and counts
    split: str  # how train and test were separated
    mode: DataMode  # "sample": data.sample; "full": data.full
    shape: str  # how it was read, e.g. "csv table with a header"
    encoding: str
    columns: str  # which columns or folders hold the text and the label
    classes: dict[str, dict[str, int]] = field(default_factory=dict)  # class -> value -> texts
    dropped: dict[str, int] = field(default_factory=dict)  # label value -> rows dropped
    ignored: tuple[str, ...] = ()  # folders that were no class

    @property
    def rows(self) -> int:
        """Texts in both splits."""
        return len(self.train) + len(self.test)

    def counts(self) -> dict[str, dict[str, int]]:
        """Texts per class in each split, counted from the data."""
        return {
            part: {LABEL_NAMES[label]: int((frame["label"] == label).sum()) for label in (1, 0)}
            for part, frame in (("train", self.train), ("test", self.test))
        }

    def description(self) -> str:
        """The data in numbers, counted from it: texts per split and class."""
        per_split = "; ".join(
            f"{part} {c['positive'] + c['negative']:,} ({c['positive']:,} positive, "
            f"{c['negative']:,} negative)"
            for part, c in self.counts().items()
        )
        return f"{self.rows:,} texts: {per_split}"

    def describe(self) -> str:
        """One line saying which data this is (shown in every report and figure)."""
        return f"{self.name}: {self.description()}"

    def label(self) -> str:
        """A short name of the data for figures, e.g. ``FIXTURE (not real data): 64 texts``."""
        name = "FIXTURE (not real data)" if self.fixture else self.name
        return f"{name}: {self.rows:,} texts ({len(self.test):,} in the test split)"

    def summary(self) -> list[str]:
        """What was read, for ``make data``: source, shape, encoding, columns, classes, split."""
        classes = "; ".join(
            f"{cls} <- {', '.join(f'{v!r} ({n:,})' for v, n in values.items())}"
            for cls, values in self.classes.items()
        )
        lines = [
            f"{self.name}",
            f"  read {self.shape} from {self.source}, encoding {self.encoding}: {self.rows:,} texts",
            f"  {self.columns}",
            f"  classes: {classes}",
        ]
        if self.dropped:
            dropped = ", ".join(f"{v!r} ({n:,})" for v, n in self.dropped.items())
            lines.append(f"  dropped as configured: {dropped}")
        if self.ignored:
            lines.append(f"  ignored folders (no class in labels): {', '.join(self.ignored)}")
        lines.append(f"  split: {self.split}; {self.description()}")
        return lines

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


def is_url(source: str) -> bool:
    """Whether a source is downloaded (http, https or ftp) rather than read from a path."""
    return urlparse(source).scheme in ("http", "https", "ftp")


def raw_dir() -> Path:
    """``data/raw/``, where ``make data`` puts downloads."""
    return data_dir() / "raw"


def location(source: str) -> Path:
    """Where a source is read from: a URL's download in data/raw, else the path itself."""
    if is_url(source):
        name = PurePosixPath(urlparse(source).path).name or "download"
        return raw_dir() / name
    return resolve(source)


def chosen(config: Settings, mode: str) -> tuple[SourceSettings, str]:
    """The data settings a mode uses, and their key for messages (``data.full``)."""
    return (
        (config.data.sample, "data.sample") if mode == "sample" else (config.data.full, "data.full")
    )


def check_source(spec: SourceSettings, key: str, path: Path) -> None:
    """The source must exist (a URL's after ``make data``) and match its checksum."""
    if not path.exists():
        if is_url(spec.source):
            raise DataError(f"{shown(path)} not found: run `make data` first (or use DATA=sample)")
        raise DataError(f"{shown(path)} not found (set {key}.source to your data's path or URL)")
    if spec.sha256 and path.is_dir():
        raise DataError(f"{shown(path)}: a folder has no SHA-256 (set {key}.sha256: null)")
    if spec.sha256 and file_sha256(path) != spec.sha256:
        raise DataError(
            f"{shown(path)}: SHA-256 is {file_sha256(path)}, not the configured one (set "
            f"{key}.sha256 to it if this is the file you mean, or null)"
        )


def read_texts(
    spec: SourceSettings, key: str, path: Path
) -> tuple[dict[str | None, Texts], list[Path], str, str, bool]:
    """Read a source: texts per split, files read, its shape, its columns, and fixture or not."""
    labeller = Labeller(spec.labels, key)
    archive = is_archive(path)
    container = "an archive" if archive else "a folder" if path.is_dir() else "a file"
    if spec.format == "folders":
        folders = spec.folders
        assert folders is not None  # checked with the configuration
        if not (archive or path.is_dir()):
            raise DataError(
                f"{shown(path)}: a folder per class needs a folder or a zip/tar archive (set "
                f"{key}.format: table if it is a table)"
            )
        parts, readme = read_folders(path, folders, labeller, spec.encoding)
        files = [path] if archive else [f for t in parts.values() for f in t.files]
        wanted = ", ".join(f"{v}/" for v in [*spec.labels.positive, *spec.labels.negative])
        splits = f" in {folders.train}/ and {folders.test}/" if folders.train else ""
        columns = f"class folders {wanted}{splits} under {folders.root or 'the top'}"
        return parts, files, f"a folder per class in {container}", columns, readme
    table = spec.table
    assert table is not None
    parts = {None: _table_part(spec, key, path, table.file, labeller, archive)}
    inside = path.is_dir()  # the tables are files in a folder: those are the files read
    files = [path / table.file] if inside and table.file else [path]
    if table.test_file:
        test_path = path if archive or inside else location(table.test_file)
        member = table.test_file if archive or inside else None
        if test_path != path:
            check_source(spec.model_copy(update={"sha256": None}), key, test_path)
            files.append(test_path)
        elif inside:
            files.append(path / table.test_file)
        parts = {"train": parts[None], "test": _table_part(spec, key, test_path, member, labeller)}
    name = table.file or path.name
    kind = table_kind(name, table, key)
    header = " with a header" if table.header and kind in ("csv", "tsv") else ""
    shape = f"a {kind} table{header} in {container}"
    columns = f"text column {table.text!r}, label column {table.label!r}"
    return parts, files, shape, columns, False


def _table_part(
    spec: SourceSettings,
    key: str,
    path: Path,
    member: str | None,
    labeller: Labeller,
    archive: bool | None = None,
) -> Texts:
    """One table file: the source itself, a member of an archive, or a file in a folder."""
    table = spec.table
    assert table is not None
    archive = is_archive(path) if archive is None else archive
    if archive or path.is_dir():
        if member is None:
            raise DataError(
                f"{shown(path)}: is {'an archive' if archive else 'a folder'} (set "
                f"{key}.table.file to the table inside it, or {key}.format: folders)"
            )
        if archive:
            return read_table(
                archive_member(path, member, key),
                f"{shown(path)}/{member}",
                table,
                labeller,
                spec.encoding,
            )
        path = path / member
        if not path.is_file():
            raise DataError(f"{shown(path)} not found (set {key}.table.file)")
    elif member is not None and member != table.test_file:
        raise DataError(
            f"{shown(path)}: is a plain file, not an archive (set {key}.table.file: null)"
        )
    return read_table(path.read_bytes(), shown(path), table, labeller, spec.encoding)


def load_data(config: Settings, mode: str) -> Reviews:
    """The (train, test) texts of ``data.sample`` or ``data.full``, checked and described."""
    spec, key = chosen(config, mode)
    path = location(spec.source)
    check_source(spec, key, path)
    parts, files, shape, columns, fixture = read_texts(spec, key, path)
    everything = Texts()
    for part in parts.values():
        everything.extend(part)
    frames = {split: _frame(part) for split, part in parts.items()}
    if None in frames:
        train, test = _hold_out(frames[None], spec.test_size, config.seed, shown(path), key)
        split = f"stratified hold-out ({spec.test_size:.0%} test, seed {config.seed})"
    else:
        (train_name, train), (test_name, test) = frames.items()
        for name, frame in ((train_name, train), (test_name, test)):
            _both_classes(frame, f"{shown(path)}: {name}", key)
        split = f"the data's own {train_name} and {test_name} splits"
    imdb = (
        spec.format == "folders"
        and not fixture
        and None not in frames
        and all(f["label"].value_counts().to_dict() == IMDB_COUNTS for f in (train, test))
    )
    if imdb:
        name, split = IMDB_NAME, "the official train/test split (25k/25k; no movie in both)"
    elif fixture:
        name = "FIXTURE (texts written for the tests in the IMDB layout; not real data)"
    else:
        table_file = spec.table.file if spec.format == "table" and spec.table else None
        name = table_file or path.name  # what it is called, never a name from the config
    classes = {
        LABEL_NAMES[label]: {
            raw: n for (lab, raw), n in sorted(everything.found.items()) if lab == label
        }
        for label in (1, 0)
    }
    return Reviews(
        train=train,
        test=test,
        name=name,
        source=spec.source,
        files=tuple(files),
        fixture=fixture,
        imdb=imdb,
        split=split,
        mode="sample" if mode == "sample" else "full",
        shape=shape,
        encoding=spec.encoding,
        columns=columns,
        classes=classes,
        dropped=dict(everything.dropped),
        ignored=tuple(sorted(everything.ignored)),
    )


def _frame(texts: Texts) -> pd.DataFrame:
    return pd.DataFrame({"id": texts.ids, "text": texts.texts, "label": texts.labels})


def _both_classes(frame: pd.DataFrame, where: str, key: str, least: int = 1) -> None:
    counts = frame["label"].value_counts()
    for label, name in LABEL_NAMES.items():
        if counts.get(label, 0) < least:
            raise DataError(
                f"{where}: {counts.get(label, 0)} {name} texts, at least {least} needed (check "
                f"{key}.labels.{name})"
            )


def _hold_out(
    frame: pd.DataFrame, test_size: float, seed: int, where: str, key: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stratified hold-out: the same class shares in train and test."""
    _both_classes(frame, where, key, least=2)
    n_test = round(len(frame) * test_size)
    if not 2 <= n_test <= len(frame) - 2:
        raise DataError(
            f"{where}: {len(frame)} texts are too few for a {test_size:.0%} test split (set "
            f"{key}.test_size, or add data)"
        )
    train, test = train_test_split(
        frame, test_size=test_size, stratify=frame["label"], random_state=seed
    )
    return train.reset_index(drop=True), test.reset_index(drop=True)


def load_splits(config: Settings, mode: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Just the (train, test) frames."""
    reviews = load_data(config, mode)
    return reviews.train, reviews.test


def download(config: Settings) -> Reviews:
    """Download ``data.full`` when it is a URL (SHA-256 checked, cached), then read it.

    A download that does not read (not the archive or table the settings describe) is deleted,
    so nothing half-right stays in data/raw; a file that was there already is left alone.
    """
    spec = config.data.full
    sources = [spec.source]
    table = spec.table
    if spec.format == "table" and table and table.test_file and is_url(table.test_file):
        sources.append(table.test_file)
    fresh = []
    for number, source in enumerate(sources):
        path = location(source)
        if is_url(source) and not path.exists():
            sha256 = spec.sha256 if number == 0 else None
            fetch(source, raw_dir(), sha256=sha256, fname=path.name)
            fresh.append(path)
    try:
        return load_data(config, "full")
    except DataError:
        for path in fresh:
            path.unlink(missing_ok=True)
        raise


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--summary`` describes the data instead of downloading it."""
    parser.add_argument("--summary", action="store_true", help="describe the data; no download")
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Download data.full into data/raw and say what it holds (``--summary``: no download)."""
    config = load_config()
    reviews = load_data(config, data_mode(args.data)) if args.summary else download(config)
    print("\n".join(reviews.summary()))
    return 0
