"""Data loading, validation, safe extraction and the checksum-verified download."""

from __future__ import annotations

import hashlib
import io
import socket
import tarfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

from {{ package_name }}.data import (
    download,
    load_csv,
    load_imdb_split,
    load_splits,
    safe_extract,
    validate_reviews,
)


def test_sample_loads_balanced_and_consistent(sample: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, test = sample
    for df in (train, test):
        assert len(df) == 32
        assert df["label"].value_counts().to_dict() == {0: 16, 1: 16}
        assert ((df["rating"] >= 7) == (df["label"] == 1)).all()
        assert df["text"].str.contains("<br").any()  # HTML to clean, as in IMDB


def test_train_and_test_do_not_overlap(sample: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, test = sample
    assert set(train["id"]).isdisjoint(test["id"])
    assert set(train["text"]).isdisjoint(test["text"])


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"text": ["good", " "], "label": [1, 0]}), "empty review"),
        (pd.DataFrame({"text": ["good", "bad"], "label": [1, 2]}), "labels must be"),
        (pd.DataFrame({"text": ["good", "fine"], "label": [1, 1]}), "both classes"),
        (pd.DataFrame({"text": ["good", "bad"], "label": [1, 0], "rating": [3, 2]}), "disagree"),
        (pd.DataFrame({"review": ["good"]}), "missing columns"),
    ],
)
def test_validation_rejects_bad_frames(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_reviews(frame)


def test_imdb_layout_rejects_odd_file_names(tmp_path: Path) -> None:
    for folder in ("pos", "neg"):
        (tmp_path / "train" / folder).mkdir(parents=True)
    (tmp_path / "train" / "pos" / "review.txt").write_text("great", encoding="utf-8")
    with pytest.raises(ValueError, match="123_8.txt"):
        load_imdb_split(tmp_path, "train")


def test_csv_with_configured_columns(tmp_path: Path, config: dict[str, Any]) -> None:
    path = tmp_path / "reviews.csv"
    rows = [(f"lovely film number {i}", "pos") for i in range(10)]
    rows += [(f"awful film number {i}", "neg") for i in range(10)]
    pd.DataFrame(rows, columns=["body", "sentiment"]).to_csv(path, index=False)
    df = load_csv(path, "body", "sentiment", "pos")
    assert df["label"].sum() == 10
    with pytest.raises(ValueError, match="missing columns"):
        load_csv(path, "text", "sentiment", "pos")
    config["data"]["source"] = "csv"
    config["data"]["csv"].update(path=str(path), text_column="body", label_column="sentiment")
    config["data"]["csv"].update(positive_label="pos", test_size=0.2)
    train, test = load_splits(config, "sample")
    assert (len(train), len(test)) == (16, 4)
    assert test["label"].sum() == 2  # stratified
    assert set(train["text"]).isdisjoint(test["text"])


def _tar_with(tmp_path: Path, member: tarfile.TarInfo) -> Path:
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        payload = b"owned"
        member.size = len(payload) if member.isfile() else 0
        tar.addfile(member, io.BytesIO(payload) if member.isfile() else None)
    return archive


@pytest.mark.parametrize("name", ["../evil.txt", "aclImdb/../../evil.txt", "/tmp/evil.txt"])
def test_extraction_refuses_path_traversal(tmp_path: Path, name: str) -> None:
    archive = _tar_with(tmp_path, tarfile.TarInfo(name))
    dest = tmp_path / "raw"
    with pytest.raises(ValueError, match="unsafe path"):
        safe_extract(archive, dest)
    assert not (tmp_path / "evil.txt").exists()
    assert list(dest.iterdir()) == []


def test_extraction_refuses_links(tmp_path: Path) -> None:
    link = tarfile.TarInfo("aclImdb/link")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    with pytest.raises(ValueError, match="unsupported member"):
        safe_extract(_tar_with(tmp_path, link), tmp_path / "raw")


class _QuietHandler(SimpleHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""

    def do_GET(self) -> None:
        """Count the requests, then serve the file."""
        type(self).requests.append(self.path)
        super().do_GET()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A local HTTP server holding a tiny aclImdb_v1-style archive: (url, sha256)."""
    root = tmp_path / "build" / "aclImdb"
    for split in ("train", "test"):
        for folder, rating, word in (("pos", 9, "wonderful"), ("neg", 2, "dreadful")):
            (root / split / folder).mkdir(parents=True)
            for i in range(2):
                text = f"A {word} film, number {i}."
                (root / split / folder / f"{i}_{rating}.txt").write_text(text, encoding="utf-8")
    www = tmp_path / "www"
    www.mkdir()
    with tarfile.open(www / "mini.tar.gz", "w:gz") as tar:
        tar.add(root, arcname="aclImdb")
    sha = hashlib.sha256((www / "mini.tar.gz").read_bytes()).hexdigest()
    _QuietHandler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/mini.tar.gz", sha
    httpd.shutdown()
    httpd.server_close()


def test_download_verifies_extracts_and_caches(tmp_path: Path, server: tuple[str, str]) -> None:
    url, sha = server
    target = tmp_path / "raw" / "aclImdb"
    folder = download(url, sha, target, "mini.tar.gz")
    assert folder == target
    assert len(load_imdb_split(folder, "train")) == 4
    assert (tmp_path / "raw" / "mini.tar.gz").is_file()
    assert len(_QuietHandler.requests) == 1
    download(url, sha, target, "mini.tar.gz")  # idempotent: no second request
    assert len(_QuietHandler.requests) == 1


def test_download_rejects_a_wrong_checksum(tmp_path: Path, server: tuple[str, str]) -> None:
    url, _ = server
    raw = tmp_path / "raw"
    with pytest.raises(SystemExit, match="download rejected"):
        download(url, "0" * 64, raw / "aclImdb", "mini.tar.gz")
    assert not (raw / "mini.tar.gz").exists()
    assert not (raw / "aclImdb").exists()


def test_download_offline_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SystemExit) as excinfo:
        download(f"http://127.0.0.1:{port}/x.tar.gz", "0" * 64, tmp_path / "aclImdb", "x.tar.gz")
    message = str(excinfo.value)
    assert message.startswith("could not download")
    assert "\n" not in message
    assert "sample still works" in message
