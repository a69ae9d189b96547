"""``eval/metrics.json``: one envelope for every project type, described by ``eval/metrics.schema.json``.

The portfolio page, an API's ``/metadata`` and monitoring read only this file, so it says
everything needed to trust a number: which data (counted from the data itself, with checksums),
how it was split, which metric decides and in which direction, the baseline and the chosen model,
every model's train and test metrics with its parameters, the library versions and when it was
made. ``SOURCE_DATE_EPOCH`` fixes the timestamp, so a rerun can reproduce the file byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import platform
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from . import PROJECT_NAME, PROJECT_TYPE, __version__
from .download import file_sha256
from .errors import ProjectError
from .paths import eval_dir, shown
from .settings import DataMode

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class DataInfo:
    """The data a run actually used, described from the data itself."""

    name: str  # the dataset, e.g. "MovieLens 100K" or "sample fixture (synthetic; not MovieLens)"
    mode: DataMode
    source: str  # URL or path it came from
    files: Sequence[Path]  # the files read; their checksum goes into the envelope
    rows: int
    fixture: bool  # made for the tests, not real data
    description: str  # counted from the data, e.g. "1,054 ratings by 60 users of 41 items"

    @property
    def label(self) -> str:
        """How reports and figures name the data: ``<name>: <description>``."""
        return f"{self.name}: {self.description}"


@dataclass(frozen=True)
class SplitInfo:
    """How the data was held out, in words, and the sizes of the parts."""

    protocol: str
    train_size: int
    test_size: int
    validation_size: int | None = None


@dataclass(frozen=True)
class PrimaryMetric:
    """The metric that decides between models (read from the ``test`` metrics)."""

    name: str
    direction: Literal["higher", "lower"]


@dataclass
class ModelResult:
    """One model's parameters and its metrics on each part of the split."""

    label: str
    params: Mapping[str, Any]
    train: Mapping[str, float]
    test: Mapping[str, float]
    validation: Mapping[str, float] | None = None


def checksum(files: Iterable[Path]) -> tuple[str, int]:
    """SHA-256 of one file; of several, the SHA-256 of their sorted ``path  sha256`` lines."""
    paths = sorted(Path(p) for p in files)
    if not paths:
        raise ProjectError("no data files to checksum")
    if len(paths) == 1:
        return file_sha256(paths[0]), 1
    lines = "".join(f"{shown(p)}  {file_sha256(p)}\n" for p in paths)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest(), len(paths)


def created_at() -> str:
    """UTC ISO time of now, or of ``$SOURCE_DATE_EPOCH`` for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    ).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def versions(packages: Iterable[str]) -> dict[str, Any]:
    """Python and the named distributions' versions (``null`` when one is not installed)."""
    found: dict[str, str | None] = {}
    for name in sorted(set(packages)):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return {"python": platform.python_version(), "project": __version__, "packages": found}


def _clean(value: Any) -> Any:
    """Plain JSON: numpy scalars to Python, tuples to lists; NaN and infinity are refused."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ProjectError(f"metrics.json cannot hold {value}; a metric is undefined")
    return value


def build_envelope(
    *,
    data: DataInfo,
    split: SplitInfo,
    primary: PrimaryMetric,
    baseline: str,
    chosen: str,
    models: Mapping[str, ModelResult],
    extras: Mapping[str, Any] | None = None,
    packages: Iterable[str] = (),
) -> dict[str, Any]:
    """The envelope as a dict, checked for consistency (names that exist, the metric present)."""
    for role, name in (("baseline", baseline), ("chosen model", chosen)):
        if name not in models:
            raise ProjectError(f"the {role} {name!r} is not among the models {sorted(models)}")
    for name in (baseline, chosen):
        if primary.name not in models[name].test:
            raise ProjectError(f"model {name!r} has no test {primary.name!r}, the primary metric")
    digest, n_files = checksum(data.files)
    envelope = {
        "schema_version": SCHEMA_VERSION,
        "project": {"name": PROJECT_NAME, "type": PROJECT_TYPE, "package": __package__},
        "data": {
            "name": data.name,
            "mode": data.mode,
            "source": data.source,
            "rows": data.rows,
            "sha256": digest,
            "files": n_files,
            "fixture": data.fixture,
            "description": data.description,
        },
        "split": {
            "protocol": split.protocol,
            "train_size": split.train_size,
            "test_size": split.test_size,
            **({"validation_size": split.validation_size} if split.validation_size else {}),
        },
        "primary_metric": {"name": primary.name, "direction": primary.direction},
        "baseline": baseline,
        "chosen_model": chosen,
        "models": {
            name: {
                "label": result.label,
                "role": "baseline" if name == baseline else "model",
                "params": dict(result.params),
                "metrics": {
                    "train": dict(result.train),
                    **({"validation": dict(result.validation)} if result.validation else {}),
                    "test": dict(result.test),
                },
            }
            for name, result in models.items()
        },
        "extras": dict(extras or {}),
        "versions": versions(packages),
        "created": created_at(),
    }
    return _clean(envelope)


def metrics_file() -> Path:
    """``eval/metrics.json``."""
    return eval_dir() / "metrics.json"


def schema_file() -> Path:
    """``eval/metrics.schema.json``, the JSON Schema of the envelope."""
    return eval_dir() / "metrics.schema.json"


def write_envelope(envelope: Mapping[str, Any], path: Path | None = None) -> Path:
    """Write the envelope as indented JSON (written to a temporary file, then renamed)."""
    path = path or metrics_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(envelope, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read_envelope(path: Path | None = None) -> dict[str, Any]:
    """Read ``eval/metrics.json`` (written by the evaluate step)."""
    path = path or metrics_file()
    if not path.is_file():
        raise ProjectError(f"{shown(path)} not found: run `make evaluate` first")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
