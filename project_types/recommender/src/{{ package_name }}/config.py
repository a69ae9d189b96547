"""The recommender's settings: the shape of configs/default.yaml, checked when a step starts.

The values live in configs/default.yaml only (with configs/best_params.yaml from ``make tune``
laid over them); these models say which keys exist and what type and range each must have.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field, field_validator

from .errors import ConfigError
from .paths import config_file, shown
from .settings import ProjectSettings, Section, load_settings


class DataLabels(Section):
    """What reports call each data mode's dataset (the counts come from the data itself)."""

    sample: str
    full: str


class DataSettings(Section):
    """Where the full data comes from and where it goes."""

    url: str
    sha256: Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")] | None  # null: no check
    raw_dir: str
    folder: str
    rating_scale: list[float] = Field(min_length=2, max_length=2)  # [lowest, highest] rating
    labels: DataLabels

    @field_validator("rating_scale")
    @classmethod
    def _low_high(cls, value: list[float]) -> list[float]:
        if not (math.isfinite(value[0]) and math.isfinite(value[1]) and value[0] < value[1]):
            raise ValueError("must be [lowest, highest] with lowest < highest")
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
    """Bias baseline: ridge penalties of the user and item biases."""

    reg_user: float = Field(ge=0)
    reg_item: float = Field(ge=0)
    iterations: int = Field(ge=1)


class MFSettings(Section):
    """Matrix factorisation (ALS-WR)."""

    factors: int = Field(ge=1)
    reg: float = Field(ge=0)
    bias_reg: float = Field(ge=0)
    iterations: int = Field(ge=1)


class EASESettings(Section):
    """EASE's one regularisation parameter."""

    reg: float = Field(gt=0)


class BiasGrid(Section):
    """Candidate values of the bias baseline's parameters."""

    reg_user: list[float] = Field(min_length=1)
    reg_item: list[float] = Field(min_length=1)


class MFGrid(Section):
    """Candidate values of the MF parameters."""

    factors: list[int] = Field(min_length=1)
    reg: list[float] = Field(min_length=1)
    bias_reg: list[float] = Field(min_length=1)


class EASEGrid(Section):
    """Candidate values of EASE's regularisation."""

    reg: list[float] = Field(min_length=1)


class Grid(Section):
    """The grid searched by ``make tune``, per model."""

    bias: BiasGrid
    mf: MFGrid
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
    ease: EASESettings
    tune: TuneSettings


def load_config(*, tuned: bool = True) -> Settings:
    """The validated settings (with ``make tune``'s best parameters unless ``tuned`` is false)."""
    settings = load_settings(Settings, tuned=tuned)
    low, high = settings.data.rating_scale
    threshold = settings.evaluation.relevance_threshold
    if not low <= threshold <= high:
        raise ConfigError(
            f"{shown(config_file())}: evaluation.relevance_threshold: {threshold:g} is outside "
            f"data.rating_scale [{low:g}, {high:g}] (set a rating on that scale)"
        )
    return settings
