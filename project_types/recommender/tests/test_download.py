"""`python -m {{ package_name }}.data` against a local HTTP server on 127.0.0.1 (no internet)."""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from {{ package_name }}.config import DATA_DIR
from {{ package_name }}.data import main


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, list[str]]]:
    """Serve a MovieLens-layout zip of the sample; yield its URL, SHA-256 and request log."""
    root = tmp_path / "www"
    root.mkdir()
    archive = root / "ml-100k.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("u.data", "u.item"):
            zf.write(DATA_DIR / "sample" / name, f"ml-100k/{name}")
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            requests.append(self.path)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/ml-100k.zip"
    yield url, hashlib.sha256(archive.read_bytes()).hexdigest(), requests
    httpd.shutdown()
    httpd.server_close()


def test_download_verifies_extracts_and_is_cached(server: tuple, tmp_path: Path) -> None:
    url, sha256, requests = server
    dest = tmp_path / "raw"
    assert main(["--url", url, "--sha256", sha256, "--dest", str(dest)]) == 0
    assert (dest / "ml-100k" / "u.data").read_bytes() == (
        DATA_DIR / "sample" / "u.data"
    ).read_bytes()
    assert (dest / "ml-100k" / "u.item").is_file()
    assert len(requests) == 1
    assert main(["--url", url, "--sha256", sha256, "--dest", str(dest)]) == 0
    assert len(requests) == 1  # cached: the checksum matched, nothing downloaded again


def test_wrong_checksum_fails_and_leaves_nothing(
    server: tuple, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, _ = server
    dest = tmp_path / "raw"
    assert main(["--url", url, "--sha256", "0" * 64, "--dest", str(dest)]) == 1
    assert "error:" in capsys.readouterr().err
    assert not any(dest.glob("*.zip"))


def test_offline_gives_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/ml-100k.zip"
    assert main(["--url", url, "--sha256", "0" * 64, "--dest", str(tmp_path)]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("error: could not download") and "DATA=sample" in last
