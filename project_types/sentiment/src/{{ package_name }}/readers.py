"""Read labelled texts in the common shapes: a table (CSV, TSV, Parquet, JSON lines) or a folder per class.

Either shape may sit in a folder, a zip or tar archive (read in place: nothing is extracted), or
be a plain file (a table may be gzip-, bz2- or xz-compressed). Every problem in the data is one
:class:`~.errors.DataError` line, ``<file>:<line>: <what> (set <config key> to ...)``, where the
file of an archive member is written ``<archive>/<member>``; ``key`` is the configuration section
the data came from (e.g. ``data.full``), so the hint names the setting to change.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import os
import sys
import tarfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from .config import FolderSettings, LabelMap, TableSettings, label_key
from .errors import DataError
from .paths import shown

KINDS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "tsv", ".parquet": "parquet"}
KINDS |= {".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
COMPRESSED = {".gz": gzip.decompress, ".bz2": bz2.decompress, ".xz": lzma.decompress}
LABELS = ("negative", "positive")  # label 0 and 1
FIXTURE = b"FIXTURE"  # how the README of data written for the tests starts

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a long review is one large field


@dataclass
class Texts:
    """Texts read from one place: parallel lists, plus what was dropped or ignored on the way."""

    ids: list[str] = field(default_factory=list)  # where each text is: file:line or member path
    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)  # 1 = positive, 0 = negative
    found: Counter[tuple[int, str]] = field(default_factory=Counter)  # (label, raw value) -> rows
    dropped: Counter[str] = field(default_factory=Counter)  # raw label value -> rows dropped
    ignored: set[str] = field(default_factory=set)  # folders that are no class of labels
    files: list[Path] = field(default_factory=list)  # the files of a folder source that were read

    def add(self, where: str, text: str, label: int, raw: str) -> None:
        """One labelled text."""
        self.ids.append(where)
        self.texts.append(text)
        self.labels.append(label)
        self.found[(label, raw)] += 1

    def extend(self, other: Texts) -> None:
        """Append everything ``other`` read."""
        self.ids += other.ids
        self.texts += other.texts
        self.labels += other.labels
        self.found.update(other.found)
        self.dropped.update(other.dropped)
        self.ignored |= other.ignored
        self.files += other.files


class Labeller:
    """Maps a raw label value (or class folder name) to 1, 0 or None (drop), or says why not."""

    def __init__(self, labels: LabelMap, key: str) -> None:
        self.key = key
        self.map: dict[str, int | None] = {label_key(v): 1 for v in labels.positive}
        self.map |= {label_key(v): 0 for v in labels.negative}
        self.map |= {label_key(v): None for v in labels.drop}

    def __call__(self, value: Any, where: str) -> int | None:
        """1, 0, or None for a value to drop; a DataError for a value the configuration lacks."""
        key = label_key(value)
        if key not in self.map:
            raise DataError(
                f"{where}: label {value!r} is in none of {self.key}.labels (add it to "
                f"{self.key}.labels.positive, .negative or .drop)"
            )
        return self.map[key]

    def knows(self, value: str) -> bool:
        """Whether a folder name is one of the configured labels."""
        return label_key(value) in self.map


def decode(data: bytes, name: str, encoding: str, key: str) -> str:
    """``data`` as text; undecodable bytes are one line naming the file, the line and the byte."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        suggestion = "cp1252" if encoding.replace("-", "").lower() in ("utf8", "ascii") else "utf-8"
        raise DataError(
            f"{name}:{line}: byte 0x{data[err.start]:02x} is not {encoding} text (set "
            f"{key}.encoding to the file's encoding, e.g. {suggestion} or latin-1)"
        ) from None


# --- where the bytes come from: a file, a folder or an archive ----------------------------------


def is_archive(path: Path) -> bool:
    """A zip or tar archive (tar possibly compressed), recognised by its content."""
    return path.is_file() and (zipfile.is_zipfile(path) or tarfile.is_tarfile(path))


def archive_files(path: Path) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """``(member name, read)`` of every regular file in a zip or tar archive, in order.

    ``read()`` returns the member's content; call it before moving on (a compressed tar is read
    as a stream). Nothing is extracted, so absolute names, ``..`` and links can do no harm;
    links and special files are skipped.
    """
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    if not info.is_dir():
                        yield info.filename, partial(zf.read, info)
        else:
            with tarfile.open(path, "r:*") as tar:
                for member in tar:
                    handle = tar.extractfile(member) if member.isfile() else None
                    if handle is not None:
                        yield member.name, handle.read
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, OSError) as err:
        detail = " ".join(str(err).split()) or type(err).__name__
        raise DataError(
            f"{shown(path)}: damaged archive, {detail} (download it again: delete it and run "
            "`make data`)"
        ) from None


def archive_member(path: Path, name: str, key: str) -> bytes:
    """One file of an archive; a missing one is an error listing the files it has."""
    wanted = name.strip("/")
    names = []
    for member, read in archive_files(path):
        if member.strip("/") == wanted:
            return read()
        names.append(member)
    tables = [n for n in names if _suffix(n) in KINDS and not _hidden(n)][:5]
    raise DataError(
        f"{shown(path)}: has no {name} (set {key}.table.file to the file to read"
        + (f", e.g. {', '.join(tables)})" if tables else ")")
    )


def _suffix(name: str) -> str:
    path = PurePosixPath(name)
    suffix = path.suffix.lower()
    return PurePosixPath(path.stem).suffix.lower() if suffix in COMPRESSED else suffix


def _hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in name.split("/"))


# --- tables --------------------------------------------------------------------------------------


def table_kind(name: str, table: TableSettings, key: str) -> str:
    """csv, tsv, parquet or jsonl: as configured, else from the file name's extension."""
    if table.kind != "auto":
        return table.kind
    kind = KINDS.get(_suffix(name))
    if kind is None:
        raise DataError(
            f"{name}: cannot tell the table format from its name (set {key}.table.kind to csv, "
            "tsv, parquet or jsonl)"
        )
    return kind


def read_table(
    data: bytes, name: str, table: TableSettings, labeller: Labeller, encoding: str
) -> Texts:
    """Rows of a table file's bytes (``name`` is how messages show the file)."""
    key = labeller.key
    unpack = COMPRESSED.get(PurePosixPath(name).suffix.lower())
    if unpack is not None:
        try:
            data = unpack(data)
        except (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError) as err:
            raise DataError(f"{name}: damaged compressed file, {err} (download it again)") from None
    kind = table_kind(name, table, key)
    if kind == "parquet":
        return _parquet(data, name, table, labeller)
    text = decode(data, name, encoding, key)
    if kind == "jsonl":
        return _json_lines(text, name, table, labeller)
    return _delimited(text, name, kind, table, labeller)


def _delimited(text: str, name: str, kind: str, table: TableSettings, labeller: Labeller) -> Texts:
    key = labeller.key
    quoted = table.quoting == "quoted" or (table.quoting == "auto" and kind == "csv")
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter="," if kind == "csv" else "\t",
        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE,
        strict=quoted,
    )
    out = Texts()
    text_at, label_at, columns = 0, 0, 0
    line = 1  # where the next record starts
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not row or row == [""]:
                continue
            if not columns:  # the first record: the header, or the first data row
                columns = len(row)
                if table.header:
                    text_at = _column(row, table.text, "text", name, key)
                    label_at = _column(row, table.label, "label", name, key)
                    continue
                text_at, label_at = int(table.text), int(table.label)
            where = f"{name}:{start}"
            if max(text_at, label_at) >= len(row):
                raise DataError(
                    f"{where}: {len(row)} field{'s' if len(row) != 1 else ''}, expected "
                    f"{columns} (set {key}.table.kind to the delimiter the file uses, csv or "
                    f"tsv, or {key}.table.quoting)"
                )
            _keep(out, where, row[text_at], row[label_at], table, labeller)
    except csv.Error as err:
        raise DataError(
            f"{name}:{line}: cannot read as {kind.upper()}, {err} (set {key}.table.quoting or "
            f"{key}.table.kind)"
        ) from None
    return out


def _column(header: list[str], wanted: str | int, role: str, name: str, key: str) -> int:
    """The position of the text or label column in a header row."""
    names = [h.strip() for h in header]
    if isinstance(wanted, int):
        if wanted < len(names):
            return wanted
        raise DataError(
            f"{name}:1: no column at position {wanted}, the header has {len(names)} (set "
            f"{key}.table.{role} to a position from 0 to {len(names) - 1} or a column name)"
        )
    if wanted in names:
        return names.index(wanted)
    raise DataError(
        f"{name}:1: no column {wanted!r} in the header ({', '.join(names)}) (set "
        f"{key}.table.{role} to the {role} column, or {key}.table.header: false if the first "
        "line is data)"
    )


def _keep(
    out: Texts, where: str, text: Any, label: Any, table: TableSettings, labeller: Labeller
) -> None:
    """Check one row and add it (or count it as dropped)."""
    if label is None or (isinstance(label, str) and not label.strip()):
        raise DataError(
            f"{where}: empty label (set {labeller.key}.table.label to the label column, or "
            "fill the row)"
        )
    value = labeller(label, where)
    if value is None:
        out.dropped[label_key(label)] += 1
        return
    if not isinstance(text, str) or not text.strip():
        raise DataError(
            f"{where}: empty or missing text (set {labeller.key}.table.text to the text column, "
            "or fill the row)"
        )
    out.add(where, text.strip(), value, label_key(label))


def _json_lines(text: str, name: str, table: TableSettings, labeller: Labeller) -> Texts:
    key = labeller.key
    if not (isinstance(table.text, str) and isinstance(table.label, str)):
        raise DataError(
            f"{name}: JSON lines have keys, not positions (set {key}.table.text and "
            f"{key}.table.label to key names)"
        )
    out = Texts()
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines: U+2028 is text
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise DataError(
                f"{where}: not valid JSON, {err.msg} (one JSON object a line; set "
                f"{key}.table.kind if this is another format)"
            ) from None
        if not isinstance(record, dict):
            raise DataError(f"{where}: expected a JSON object with the text and label keys")
        for role, wanted in (("text", table.text), ("label", table.label)):
            if wanted not in record:
                raise DataError(
                    f"{where}: no key {wanted!r} (keys: {', '.join(map(str, record))}) (set "
                    f"{key}.table.{role} to the {role} key)"
                )
        _keep(out, where, record[table.text], record[table.label], table, labeller)
    return out


def _parquet(data: bytes, name: str, table: TableSettings, labeller: Labeller) -> Texts:
    import pyarrow as pa
    import pyarrow.parquet as pq

    key = labeller.key
    try:
        frame = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as err:
        raise DataError(
            f"{name}: cannot read as Parquet, {' '.join(str(err).split())} (set {key}.table.kind)"
        ) from None
    names = frame.column_names
    columns = [_column(names, table.text, "text", name, key)]
    columns.append(_column(names, table.label, "label", name, key))
    texts, labels = (frame.column(i).to_pylist() for i in columns)
    out = Texts()
    for row, (text, label) in enumerate(zip(texts, labels, strict=True), start=1):
        _keep(out, f"{name}: row {row}", text, label, table, labeller)
    return out


# --- a folder per class --------------------------------------------------------------------------


def read_folders(
    location: Path, folders: FolderSettings, labeller: Labeller, encoding: str
) -> tuple[dict[str | None, Texts], bool]:
    """Texts of ``<root>/[<split>/]<class>/<file>`` in a folder or an archive, per split.

    The keys are the split folder names (``None`` when there are no split folders). Folders
    whose name is no configured label are ignored (and listed); hidden files are skipped. The
    flag says whether ``<root>/README`` starts with ``FIXTURE``: texts written for tests.
    """
    splits: list[str | None] = [folders.train, folders.test] if folders.train else [None]
    depth = 2 if folders.train else 1  # split/class/file or class/file below the root
    root = tuple(folders.root.strip("/").split("/")) if folders.root.strip("/") else ()
    out: dict[str | None, Texts] = {split: Texts() for split in splits}
    display = shown(location)
    is_dir = location.is_dir()
    if is_dir:
        files = _folder_files(location, root, splits, labeller, out)
    else:
        files = archive_files(location)
    seen = fixture = False
    if location.is_dir():
        readme = location.joinpath(*root, "README")
        fixture = readme.is_file() and readme.read_bytes().lstrip().startswith(FIXTURE)
    for name, read in files:
        parts = tuple(name.strip("/").split("/"))
        if parts[: len(root)] != root:
            continue
        parts = parts[len(root) :]
        if parts == ("README",):
            fixture = read().lstrip().startswith(FIXTURE)
            continue
        if len(parts) != depth + 1 or any(p.startswith(".") for p in parts):
            continue
        seen = True
        split = parts[0] if folders.train else None
        if split not in out:
            continue
        cls = parts[-2]
        if not labeller.knows(cls):
            out[split].ignored.add(cls)
            continue
        where = f"{display}/{name}"
        value = labeller(cls, where)
        if value is None:
            out[split].dropped[label_key(cls)] += 1
            continue
        text = decode(read(), where, encoding, labeller.key).strip()
        if not text:
            raise DataError(f"{where}:1: empty text (delete the file, or move it out of {cls}/)")
        out[split].add(where, text, value, cls)
        if is_dir:
            out[split].files.append(location / name)  # Path: only for the checksum later
    if not seen:
        expected = "/".join(
            [folders.root.strip("/") or ".", "<split>" if folders.train else "", "<class>/<file>"]
        ).replace("//", "/")
        raise DataError(
            f"{display}: no files at {expected} (set {labeller.key}.folders.root"
            + (", .train and .test" if folders.train else "")
            + " to the folders it holds)"
        )
    return out, fixture


def _folder_files(
    location: Path,
    root: tuple[str, ...],
    splits: list[str | None],
    labeller: Labeller,
    out: dict[str | None, Texts],
) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """The files of the class folders under a folder; other folders are noted as ignored.

    os.scandir and plain strings, not pathlib: IMDB has 50,000 files.
    """
    base = location.joinpath(*root)
    for split in splits:
        below = base / split if split else base
        folders = sorted(
            entry.name
            for entry in (os.scandir(below) if below.is_dir() else ())
            if entry.is_dir() and not entry.name.startswith(".")
        )
        out[split].ignored |= {name for name in folders if not labeller.knows(name)}
        prefix = "/".join([*root, *([split] if split else [])])
        for folder in folders:
            if labeller.knows(folder):
                with os.scandir(below / folder) as entries:
                    names = sorted(e.name for e in entries if e.is_file())
                folder_path = f"{below}{os.sep}{folder}{os.sep}"
                for name in names:
                    yield (
                        f"{prefix}/{folder}/{name}".lstrip("/"),
                        partial(_read, folder_path + name),
                    )


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:  # noqa: PTH123 (a str path: 50,000 of them)
        return handle.read()
