"""The typed configuration of this project: every key of configs/default.yaml, checked.

A misspelt key, a missing key or a value of the wrong type is refused when a step starts, with
one line naming the file and the dotted key (see ``settings.py``), instead of failing later.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from . import settings

# the core's sections are strict already; these are also checked when a value is reassigned
STRICT = ConfigDict(strict=True, extra="forbid", validate_assignment=True)
MODEL_NAMES = ("naive", "seasonal_naive", "ets", "arima", "gbm")
# ETS in Hyndman's notation: error (A/M), trend (N/A/Ad), season (N/A/M), e.g. AAM, AAdN.
ETS_SPEC = re.compile(r"^(A|M)(N|A|Ad)(N|A|M)$")
Transform = Literal["none", "log", "boxcox"]


class Section(settings.Section):
    """A configuration section: strict types (no "2" for 2), unknown keys refused."""

    model_config = STRICT


class SeriesFile(Section):
    """A CSV or Parquet file of one or many series: which columns hold what."""

    name: str = Field(min_length=1)  # how reports name the data
    path: str = Field(min_length=1)
    date_column: str
    value_column: str
    id_column: str | None  # a column naming the series, for a file of many series
    series: list[str] | None  # with id_column: the series to use (null: every series)
    date_format: str | None  # e.g. "%d/%m/%Y" (null: pandas parses ISO and common formats)
    frequency: str | None  # pandas alias: h, D, W-SUN, MS, ME, QS, YS (null: inferred)
    missing_values: list[float | int | str]  # values that mean "missing", e.g. -99.99
    encoding: str
    fixture: bool  # a file written for the tests, not real data


class DataSettings(Section):
    """Which series: the sample (DATA=sample), the download (DATA=full) or your own file."""

    source: Literal["default", "file"]
    url: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    sample: SeriesFile
    download: SeriesFile
    file: SeriesFile


class SeriesSettings(Section):
    """How the series is read once loaded."""

    season_length: int | None = Field(ge=1)  # periods per season (null: from the frequency)
    max_missing_share: float = Field(ge=0, lt=1)  # more missing periods than this is an error


class BacktestSettings(Section):
    """The rolling-origin, expanding-window backtest."""

    horizon: int = Field(ge=1)
    step: int = Field(ge=1)
    folds: int = Field(ge=1)
    level: float = Field(gt=0, lt=1)  # coverage of the prediction intervals


class EtsSettings(Section):
    """Exponential smoothing (ETS / Holt-Winters): the candidates the AIC chooses from."""

    candidates: list[str] = Field(min_length=1)

    @field_validator("candidates")
    @classmethod
    def _notation(cls, candidates: list[str]) -> list[str]:
        for spec in candidates:
            if not ETS_SPEC.match(spec):
                raise ValueError(
                    f"{spec!r} is not ETS notation: error A|M, trend N|A|Ad, season N|A|M "
                    "(e.g. AAM, AAdN)"
                )
        return candidates


class ArimaSettings(Section):
    """(Seasonal) ARIMA: the orders the AIC chooses from, on a transformed scale."""

    orders: list[list[int]] = Field(min_length=1)
    seasonal_orders: list[list[int]] = Field(min_length=1)
    transform: Transform

    @field_validator("orders", "seasonal_orders")
    @classmethod
    def _triples(cls, orders: list[list[int]]) -> list[list[int]]:
        for order in orders:
            if len(order) != 3 or min(order) < 0 or max(order) > 5:
                raise ValueError(f"each order is [p, d, q] with 0 <= p, d, q <= 5, got {order}")
        return orders


class GbmSettings(Section):
    """Gradient boosting on lag features, forecasting recursively."""

    lags: list[int] | None  # null: 1 .. season length (at least 1 .. 3)
    transform: Transform
    max_iter: int = Field(ge=1)
    learning_rate: float = Field(gt=0, le=1)
    max_leaf_nodes: int = Field(ge=2)
    min_samples_leaf: int = Field(ge=1)
    l2_regularization: float = Field(ge=0)

    @field_validator("lags")
    @classmethod
    def _positive(cls, lags: list[int] | None) -> list[int] | None:
        if lags is not None and (not lags or min(lags) < 1):
            raise ValueError("lags are positive integers, e.g. [1, 2, 3, 12]")
        return lags


class ModelSettings(Section):
    """Which models run, and each one's parameters."""

    include: list[Literal["naive", "seasonal_naive", "ets", "arima", "gbm"]] = Field(min_length=1)
    chosen: Literal["auto", "naive", "seasonal_naive", "ets", "arima", "gbm"]
    ets: EtsSettings
    arima: ArimaSettings
    gbm: GbmSettings


TUNABLE = (
    "models.gbm.lags",
    "models.gbm.max_iter",
    "models.gbm.learning_rate",
    "models.gbm.max_leaf_nodes",
    "models.gbm.min_samples_leaf",
    "models.gbm.l2_regularization",
    "models.gbm.transform",
    "models.arima.transform",
)


class TuneSettings(Section):
    """The hyper-parameter search (``make tune``): time-series CV inside the training window."""

    folds: int = Field(ge=1)
    n_iter: int = Field(ge=1)
    space: dict[str, list[Any]]

    @field_validator("space")
    @classmethod
    def _known_keys(cls, space: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return settings.check_space_keys(space, TUNABLE)


class Settings(settings.ProjectSettings):
    """The whole of configs/default.yaml (with configs/best_params.yaml laid over it)."""

    model_config = STRICT

    data: DataSettings
    series: SeriesSettings
    backtest: BacktestSettings
    models: ModelSettings
    tune: TuneSettings


def load_config(*, tuned: bool = True) -> Settings:
    """configs/default.yaml, with configs/best_params.yaml over it when ``tuned``, checked."""
    config = settings.load_settings(Settings, tuned=tuned)
    settings.check_space_values(config, config.tune.space, "tune.space")
    return config
