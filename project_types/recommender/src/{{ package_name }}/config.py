"""The recommender's settings: the shape of configs/default.yaml, checked when a step starts.

The values live in configs/default.yaml only (with configs/best_params.yaml from ``make tune``
laid over them); these models say which keys exist and what type and range each must have.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, field_validator

from .errors import ConfigError
from .paths import config_file, shown
from .settings import ProjectSettings, Section, load_settings

Layout = Literal["movielens-100k", "movielens-latest", "movielens-1m", "table"]
Column = str | int  # a column's name (files with a header) or its 0-based position
SHA256 = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")]


class TableSettings(Section):
    """How a ratings or items file is read; ``null`` takes the value of the ``layout``.

    Unlike every other setting, these have a default (null) so that a one-line mapping such as
    ``{path: null, layout: table, user: 0, item: 1, rating: 2}`` says only what it changes.
    """

    path: str | None = None  # the file inside the source (archive or folder); null: the source
    layout: Layout  # a MovieLens file by name, or `table`: the settings below
    separator: str | None = None  # null: from the file name (.csv , .tsv tab, .dat ::, .parquet)
    header: bool | None = None  # does the first line name the columns? (null: yes for `table`)
    encoding: str | None = None  # null: utf-8 (latin-1 for MovieLens 100K and 1M)


class RatingsSettings(TableSettings):
    """The ratings file: which columns hold the user, item, rating and (optional) time."""

    user: Column | None = None
    item: Column | None = None
    rating: Column | None = None
    timestamp: Column | None = None  # null with `table`: no times (per-user random hold-out)


class ItemsSettings(TableSettings):
    """The optional item file (titles); its own source, or a member of data.source."""

    source: str | None = None  # null: `path` inside data.source; else a URL or local path
    sha256: SHA256 | None = None
    item: Column | None = None
    title: Column | None = None


class DataSettings(Section):
    """Where the full data comes from, how its files are read, and its rating scale."""

    name: str | None  # how reports name the full data; null: from the data (see data.py)
    source: str  # a URL or a local path: an archive (zip, tar), a plain file or a folder
    sha256: SHA256 | None  # null: no check
    raw_dir: str
    rating_scale: Annotated[list[float], Field(min_length=2, max_length=2)] | None  # null: read
    duplicates: Literal["error", "first", "last", "mean"]  # a user rating one item twice
    ratings: RatingsSettings
    items: ItemsSettings | None  # null: no titles, items are shown by id

    @field_validator("rating_scale")
    @classmethod
    def _low_high(cls, value: list[float] | None) -> list[float] | None:
        if value is None:
            return value
        if not (math.isfinite(value[0]) and math.isfinite(value[1]) and value[0] < value[1]):
            raise ValueError("must be [lowest, highest] with lowest < highest, or null")
        return value


class SplitSettings(Section):
    """The per-user time split (and the random split's share)."""

    test_fraction: float = Field(gt=0, lt=1)


class EvaluationSettings(Section):
    """Top-N list length, what counts as relevant, and the NDCG@k curve."""

    k: int = Field(ge=1)
    relevance_threshold: float = Field(allow_inf_nan=False)  # on data.rating_scale
    ks: list[int] = Field(min_length=1)


class BiasSettings(Section):
    """The bias model (global mean + user and item biases): their ridge penalties."""

    reg_user: float = Field(ge=0)
    reg_item: float = Field(ge=0)
    iterations: int = Field(ge=1)


class MFSettings(Section):
    """Matrix factorisation (ALS-WR)."""

    factors: int = Field(ge=1)
    reg: float = Field(ge=0)
    bias_reg: float = Field(ge=0)
    iterations: int = Field(ge=1)


class KNNSettings(Section):
    """Item kNN on the bias residuals: neighbours kept, similarity shrinkage, and item cap."""

    neighbours: int = Field(ge=1)
    shrinkage: float = Field(ge=0)
    reg: float = Field(ge=0)
    max_items: int = Field(ge=1)


class BlendSettings(Section):
    """The blend's pull towards the bias model alone while its weights are fitted."""

    ridge: float = Field(ge=0)


class EASESettings(Section):
    """EASE's regularisation, and how many items (the most rated) its weights cover."""

    reg: float = Field(gt=0)
    max_items: int = Field(ge=1)


class BiasGrid(Section):
    """Candidate values of the bias model's parameters."""

    reg_user: list[float] = Field(min_length=1)
    reg_item: list[float] = Field(min_length=1)


class MFGrid(Section):
    """Candidate values of the MF parameters."""

    factors: list[int] = Field(min_length=1)
    reg: list[float] = Field(min_length=1)
    bias_reg: list[float] = Field(min_length=1)


class KNNGrid(Section):
    """Candidate values of the item kNN parameters (searched together: one similarity pass)."""

    neighbours: list[Annotated[int, Field(ge=1)]] = Field(min_length=1)
    shrinkage: list[Annotated[float, Field(ge=0)]] = Field(min_length=1)
    reg: list[Annotated[float, Field(ge=0)]] = Field(min_length=1)


class BlendGrid(Section):
    """Candidate values of the blend's ridge penalty."""

    ridge: list[Annotated[float, Field(ge=0)]] = Field(min_length=1)


class EASEGrid(Section):
    """Candidate values of EASE's regularisation."""

    reg: list[float] = Field(min_length=1)


class Grid(Section):
    """The grid searched by ``make tune``, per model."""

    bias: BiasGrid
    mf: MFGrid
    knn: KNNGrid
    blend: BlendGrid
    ease: EASEGrid


class TuneSettings(Section):
    """Validation inside the training part, and the grid."""

    validation_fraction: float = Field(gt=0, lt=1)
    grid: Grid


class Settings(ProjectSettings):
    """Everything in configs/default.yaml."""

    data: DataSettings
    split: SplitSettings
    evaluation: EvaluationSettings
    bias: BiasSettings
    mf: MFSettings
    knn: KNNSettings
    blend: BlendSettings
    ease: EASESettings
    tune: TuneSettings


def load_config(*, tuned: bool = True) -> Settings:
    """The validated settings (with ``make tune``'s best parameters unless ``tuned`` is false)."""
    settings = load_settings(Settings, tuned=tuned)
    threshold = settings.evaluation.relevance_threshold
    if settings.data.rating_scale is None:
        return settings  # checked against the scale read from the data
    low, high = settings.data.rating_scale
    if not low <= threshold <= high:
        raise ConfigError(
            f"{shown(config_file())}: evaluation.relevance_threshold: {threshold:g} is outside "
            f"data.rating_scale [{low:g}, {high:g}] (set a rating on that scale)"
        )
    return settings
