"""Small hand-made projects for the portfolio and status tests: answers, envelope, README, figures."""

from __future__ import annotations

import copy
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMA = REPO_ROOT / "template" / "eval" / "metrics.schema.json"

# Shaped like what a classifier's evaluate step writes; every value is made up for the tests.
ENVELOPE: dict[str, Any] = {
    "schema_version": "1.0",
    "project": {"name": "Tiny Classifier", "type": "sentiment", "package": "tiny"},
    "data": {
        "name": "hand-written fixture",
        "mode": "sample",
        "source": "data/sample/reviews.csv",
        "rows": 64,
        "sha256": "0" * 64,
        "files": 1,
        "fixture": True,
        "description": "64 reviews, 32 positive",
    },
    "split": {"protocol": "stratified 50/50 split", "train_size": 32, "test_size": 32},
    "primary_metric": {"name": "f1", "direction": "higher"},
    "baseline": "majority",
    "chosen_model": "logreg",
    "models": {
        "majority": {
            "label": "majority class",
            "role": "baseline",
            "params": {},
            "metrics": {"train": {"f1": 0.5}, "test": {"f1": 0.4, "accuracy": 0.5}},
        },
        "logreg": {
            "label": "logistic regression",
            "role": "model",
            "params": {"C": 1.0},
            "metrics": {
                "train": {"f1": 0.99},
                "validation": {"f1": 0.7},
                "test": {"f1": 0.8, "accuracy": 0.8125},
            },
        },
    },
    "extras": {},
    "versions": {"python": "3.11.7", "project": "0.1.0", "packages": {"scikit-learn": "1.5.0"}},
    "created": "2026-11-29T12:00:00Z",
}


def envelope(**changes: Any) -> dict[str, Any]:
    """A copy of ``ENVELOPE`` with top-level keys replaced (``None`` removes a key)."""
    made = copy.deepcopy(ENVELOPE)
    for key, value in changes.items():
        if value is None:
            made.pop(key, None)
        else:
            made[key] = value
    return made


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid grey PNG of the given size, written without Pillow."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def make_project(
    root: Path,
    slug: str,
    *,
    name: str | None = None,
    project_type: str | None = "sentiment",
    metrics: dict[str, Any] | str | None = None,
    readme: str | None = None,
    figures: dict[str, bytes] | None = None,
    remote: str | None = None,
    answers: dict[str, Any] | None = None,
) -> Path:
    """Write a project folder: answers file, optional eval/metrics.json, README, figures, remote."""
    path = root / slug
    path.mkdir(parents=True)
    recorded: dict[str, Any] = {
        "_commit": "v0.2.0",
        "_src_path": "https://github.com/mlportfolio/mlportfolio.git",
        "project_name": name or slug.replace("-", " ").title(),
        "project_slug": slug,
        "description": f"The description of {slug}.",
    }
    if project_type:
        recorded["project_type"] = project_type
    recorded.update(answers or {})
    (path / ".copier-answers.yml").write_text(yaml.safe_dump(recorded), encoding="utf-8")
    if metrics is not None:
        (path / "eval").mkdir()
        text = metrics if isinstance(metrics, str) else json.dumps(metrics, indent=2)
        (path / "eval" / "metrics.json").write_text(text, encoding="utf-8")
    if readme is not None:
        (path / "README.md").write_text(readme, encoding="utf-8")
    for figure, data in (figures or {}).items():
        (path / "eval" / "figures").mkdir(parents=True, exist_ok=True)
        (path / "eval" / "figures" / figure).write_bytes(data)
    if remote is not None:
        (path / ".git").mkdir()
        (path / ".git" / "config").write_text(
            f'[core]\n\tbare = false\n[remote "origin"]\n\turl = {remote}\n'
            "\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
            encoding="utf-8",
        )
    return path
