"""Load, validate and download the review data.

Three sources give the same frame (columns ``text``, ``label`` with 1 = positive, 0 = negative):
the shipped fixture and the downloaded IMDB set (both in the ``aclImdb`` layout), or a CSV of
your own. ``python -m`` this module downloads IMDB into ``data/raw`` (``make data``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
from sklearn.model_selection import train_test_split

from .config import PROJECT_ROOT, data_mode, load_config

LABEL_NAMES = {0: "negative", 1: "positive"}
_FILENAME = re.compile(r"^(\d+)_(\d+)\.txt$")


def load_imdb_split(root: Path, split: str) -> pd.DataFrame:
    """Read ``root/<split>/{pos,neg}/<id>_<rating>.txt`` into a frame of text, label and rating."""
    rows: list[dict[str, Any]] = []
    for folder, label in (("neg", 0), ("pos", 1)):
        directory = root / split / folder
        if not directory.is_dir():
            raise FileNotFoundError(f"{directory} is missing: not an aclImdb layout")
        for path in sorted(directory.glob("*.txt")):
            match = _FILENAME.match(path.name)
            if not match:
                raise ValueError(f"{path}: expected a name like 123_8.txt")
            rows.append(
                {
                    "id": f"{split}/{folder}/{match[1]}",
                    "text": path.read_text(encoding="utf-8").strip(),
                    "label": label,
                    "rating": int(match[2]),
                }
            )
    return validate_reviews(pd.DataFrame(rows, columns=["id", "text", "label", "rating"]))


def validate_reviews(df: pd.DataFrame) -> pd.DataFrame:
    """Check a review frame: non-empty texts, labels 0/1, both classes, ratings that agree."""
    if df.empty:
        raise ValueError("no reviews found")
    missing = {"text", "label"} - set(df.columns)
    if missing:
        raise ValueError(f"missing columns: {sorted(missing)}")
    if df["text"].isna().any() or (df["text"].astype(str).str.strip() == "").any():
        raise ValueError("empty review text")
    if not df["label"].isin([0, 1]).all():
        raise ValueError("labels must be 0 (negative) or 1 (positive)")
    if df["label"].nunique() < 2:
        raise ValueError("both classes are needed")
    if "rating" in df.columns:
        wrong = (df["label"] == 1) & (df["rating"] < 7) | (df["label"] == 0) & (df["rating"] > 4)
        if wrong.any():
            raise ValueError(f"{int(wrong.sum())} ratings disagree with their label")
    return df.reset_index(drop=True)


def load_csv(path: Path, text_column: str, label_column: str, positive_label: Any) -> pd.DataFrame:
    """Read a CSV of your own: ``positive_label`` in ``label_column`` means positive."""
    df = pd.read_csv(path)
    missing = {text_column, label_column} - set(df.columns)
    if missing:
        raise ValueError(f"{path.name}: missing columns {sorted(missing)}; see data.csv in configs")
    labels = df[label_column].astype(str).str.strip()
    if labels.nunique() != 2:
        raise ValueError(f"{path.name}: '{label_column}' must hold exactly two values")
    if str(positive_label) not in set(labels):
        raise ValueError(f"{path.name}: no row has {label_column} == {positive_label!r}")
    frame = pd.DataFrame(
        {
            "id": [f"csv/{i}" for i in range(len(df))],
            "text": df[text_column],
            "label": (labels == str(positive_label)).astype(int),
        }
    )
    return validate_reviews(frame)


def load_splits(config: dict[str, Any], mode: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the (train, test) frames for the configured source and data mode."""
    cfg = config["data"]
    if cfg["source"] == "csv":
        csv = cfg["csv"]
        df = load_csv(
            PROJECT_ROOT / csv["path"],
            csv["text_column"],
            csv["label_column"],
            csv["positive_label"],
        )
        train, test = train_test_split(
            df, test_size=csv["test_size"], stratify=df["label"], random_state=config["seed"]
        )
        return train.reset_index(drop=True), test.reset_index(drop=True)
    if cfg["source"] != "imdb":
        raise ValueError(f"data.source must be 'imdb' or 'csv', got {cfg['source']!r}")
    root = PROJECT_ROOT / (cfg["sample_dir"] if mode == "sample" else cfg["raw_dir"])
    if not root.is_dir():
        raise SystemExit(f"{root} not found: run `make data` first (or use DATA=sample)")
    return load_imdb_split(root, "train"), load_imdb_split(root, "test")


def describe_data(config: dict[str, Any], mode: str) -> str:
    """Say in words which data produced a result (shown in every report)."""
    if config["data"]["source"] == "csv":
        return f"your CSV `{config['data']['csv']['path']}` (stratified hold-out)"
    if mode == "sample":
        return "the shipped FIXTURE (64 hand-written reviews in IMDB layout; not real data)"
    return "IMDB Large Movie Review Dataset (official 25k train / 25k test split)"


def check_members(tar: tarfile.TarFile, dest: Path) -> None:
    """Refuse an archive with absolute paths, ``..``, links or special files."""
    dest = dest.resolve()
    for member in tar.getmembers():
        name = PurePosixPath(member.name)
        target = (dest / member.name).resolve()
        if name.is_absolute() or ".." in name.parts or not target.is_relative_to(dest):
            raise ValueError(f"unsafe path in archive: {member.name!r}")
        if not (member.isfile() or member.isdir()):
            raise ValueError(f"unsupported member type in archive: {member.name!r}")


def safe_extract(archive: Path, dest: Path) -> None:
    """Extract a .tar.gz into ``dest`` after checking every member; atomic per top folder."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest, prefix=".extract-") as tmp:
        with tarfile.open(archive, "r:gz") as tar:
            check_members(tar, Path(tmp))
            tar.extractall(tmp, filter="data")
        for item in Path(tmp).iterdir():
            final = dest / item.name
            if final.exists():
                shutil.rmtree(final) if final.is_dir() else final.unlink()
            item.rename(final)


def download(url: str, sha256: str, extracted: Path, archive_name: str) -> Path:
    """Download the archive with pooch (progress bar, SHA-256 check, cached) and extract it.

    The archive lands next to ``extracted`` (the folder it unpacks to); an existing, complete
    extraction is reused, so a second run is instant and needs no network.
    """
    import pooch
    import requests

    raw_dir = extracted.parent
    marker = extracted / ".complete"
    if marker.is_file() and marker.read_text(encoding="utf-8").strip() == sha256:
        print(f"{extracted} is ready (delete it to extract again)")
        return extracted
    try:
        archive = pooch.retrieve(
            url,
            known_hash=f"sha256:{sha256}",
            fname=archive_name,
            path=raw_dir,
            progressbar=sys.stderr.isatty(),
        )
    except requests.exceptions.RequestException as exc:
        reason = type(exc).__name__
        raise SystemExit(
            f"could not download {url} ({reason}): check the connection or set data.url to a"
            " mirror in configs/default.yaml; the shipped sample still works (DATA=sample)"
        ) from exc
    except ValueError as exc:  # pooch: the SHA-256 does not match
        raise SystemExit(f"download rejected: {exc}".replace("\n", " ")) from exc
    safe_extract(Path(archive), raw_dir)
    if not extracted.is_dir():
        raise SystemExit(f"{archive_name} holds no {extracted.name}/ folder")
    marker.write_text(sha256 + "\n", encoding="utf-8")
    return extracted


def main(argv: list[str] | None = None) -> None:
    """Download IMDB into data/raw, or summarise the data a mode would use."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summary", action="store_true", help="describe the data; no download")
    parser.add_argument("--data", choices=["sample", "full"], help="data mode (default: $DATA)")
    args = parser.parse_args(argv)
    config = load_config()
    if args.summary:
        mode = data_mode(args.data)
        train, test = load_splits(config, mode)
        print(f"{describe_data(config, mode)}: {len(train)} train, {len(test)} test reviews")
        print(f"positive share: train {train['label'].mean():.2f}, test {test['label'].mean():.2f}")
        return
    cfg = config["data"]
    folder = download(cfg["url"], cfg["sha256"], PROJECT_ROOT / cfg["raw_dir"], cfg["archive"])
    train, test = load_imdb_split(folder, "train"), load_imdb_split(folder, "test")
    print(f"{folder}: {len(train)} train and {len(test)} test reviews")


if __name__ == "__main__":
    main()
