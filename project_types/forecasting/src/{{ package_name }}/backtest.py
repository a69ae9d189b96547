"""Rolling-origin backtest with an expanding window: how forecasters are judged.

Fold ``k`` fits every model on the values before its origin only and forecasts the next
``horizon`` periods; origins are ``step`` periods apart and the last fold ends at the last
observation. Nothing is shuffled and no value at or after an origin reaches the fit of that
fold. Scores are averaged over folds (and series); MASE scales each fold by seasonal naive's
in-sample error on that fold's own training window.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .config import Settings
from .errors import DataError
from .metrics import METRICS, coverage, mase_scale, scores
from .models import Forecast, Forecaster, build


def min_train_length(season: int) -> int:
    """The shortest training window every model can use: two full seasons and a little more."""
    return max(2 * season + 2, 12)


def origins(n: int, horizon: int, step: int, folds: int, season: int, where: str = "") -> list[int]:
    """The index of each fold's first forecast period, oldest first."""
    first = n - horizon - step * (folds - 1)
    needed = min_train_length(season)
    if first < needed:
        name = f"{where}: " if where else ""
        raise DataError(
            f"{name}{n} observations are too few for {folds} fold(s) of horizon {horizon}, step "
            f"{step} and season {season} (needs {needed + horizon + step * (folds - 1)}); "
            "lower backtest.folds or backtest.horizon, or set series.season_length"
        )
    return [first + step * k for k in range(folds)]


@dataclass
class BacktestResult:
    """Every forecast the backtest made, and the scores computed from them."""

    names: list[str]
    horizon: int
    folds: int
    level: float
    forecasts: pd.DataFrame  # series, fold, origin, step, date, actual, model, mean, lower, upper
    test: dict[str, dict[str, float]]  # model -> metric -> mean over folds and series
    train: dict[str, dict[str, float]]  # in-sample one-step fit on each training window
    per_step: dict[str, dict[str, list[float]]]  # model -> metric -> value per horizon step
    coverage: dict[str, float]
    selected: dict[str, list[dict[str, Any]]]  # model -> what each fold's fit chose
    seconds: dict[str, float]
    train_sizes: list[int] = field(default_factory=list)  # per series and fold, in order

    def best(self, metric: str = "mase", among: Sequence[str] | None = None) -> str:
        """The model with the lowest mean test ``metric``."""
        return min(among or self.names, key=lambda n: self.test[n][metric])


def forecast_at(
    model: Forecaster, y: np.ndarray, origin: int, horizon: int, level: float
) -> Forecast:
    """Fit on ``y[:origin]`` only and forecast ``horizon`` periods from there."""
    return model.fit(y[:origin]).predict(horizon, level)


def run_backtest(
    series: dict[str, pd.Series],
    config: Settings,
    names: Sequence[str],
    season: int,
    *,
    horizon: int | None = None,
    step: int | None = None,
    folds: int | None = None,
) -> BacktestResult:
    """Backtest every named model on every series (``horizon``, ``step``, ``folds`` override)."""
    cfg = config.backtest
    horizon, step, folds = horizon or cfg.horizon, step or cfg.step, folds or cfg.folds
    level = config.backtest.level
    rows: list[dict[str, Any]] = []
    fold_scores: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    fit_scores: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    selected: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    seconds = dict.fromkeys(names, 0.0)
    train_sizes = []
    for sid, values in series.items():
        y = values.to_numpy(dtype=float)
        for fold, origin in enumerate(origins(len(y), horizon, step, folds, season, str(sid))):
            train, actual = y[:origin], y[origin : origin + horizon]
            scale = mase_scale(train, season)
            train_sizes.append(origin)
            for name in names:
                start = time.perf_counter()
                model = build(name, config, season)
                forecast = forecast_at(model, y, origin, horizon, level)
                seconds[name] += time.perf_counter() - start
                fold_scores[name].append(scores(actual, forecast.mean, scale))
                fitted = model.fitted()
                known = ~np.isnan(fitted)
                fit_scores[name].append(scores(train[known], fitted[known], scale))
                selected[name].append({"series": sid, "fold": fold, **model.params()})
                for k in range(horizon):
                    rows.append(
                        {
                            "series": sid,
                            "fold": fold,
                            "origin": values.index[origin],
                            "step": k + 1,
                            "date": values.index[origin + k],
                            "actual": actual[k],
                            "model": name,
                            "mean": forecast.mean[k],
                            "lower": forecast.lower[k],
                            "upper": forecast.upper[k],
                            "scale": scale,
                        }
                    )
    frame = pd.DataFrame(rows)
    return BacktestResult(
        names=list(names),
        horizon=horizon,
        folds=folds,
        level=level,
        forecasts=frame,
        test={n: _mean(fold_scores[n]) for n in names},
        train={n: _mean(fit_scores[n]) for n in names},
        per_step=per_step_scores(frame),
        coverage={
            n: coverage(f["actual"], f["lower"], f["upper"])
            for n, f in frame.groupby("model", sort=False)
        },
        selected=selected,
        seconds={n: round(s, 2) for n, s in seconds.items()},
        train_sizes=train_sizes,
    )


def _mean(records: list[dict[str, float]]) -> dict[str, float]:
    return {m: float(np.mean([r[m] for r in records])) for m in METRICS}


def per_step_scores(frame: pd.DataFrame) -> dict[str, dict[str, list[float]]]:
    """MASE, sMAPE, MAE and coverage at each horizon step, per model."""
    error = (frame["actual"] - frame["mean"]).abs()
    total = (frame["actual"].abs() + frame["mean"].abs()).replace(0, np.nan)
    parts = frame.assign(
        mase=error / frame["scale"],
        smape=(200 * error / total).fillna(0.0),
        mae=error,
        inside=((frame["actual"] >= frame["lower"]) & (frame["actual"] <= frame["upper"])).astype(
            float
        ),
    )
    result: dict[str, dict[str, list[float]]] = {}
    for name, group in parts.groupby("model", sort=False):
        by_step = group.groupby("step")[["mase", "smape", "mae", "inside"]].mean()
        result[str(name)] = {
            column.replace("inside", "coverage"): [float(v) for v in by_step[column]]
            for column in by_step.columns
        }
    return result
