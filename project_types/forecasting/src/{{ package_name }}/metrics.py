"""Forecast accuracy: MAE, RMSE, sMAPE, MASE and interval coverage.

sMAPE is in percent on the 0-200 scale of the M3 and M4 competitions; MASE divides the MAE by
the in-sample MAE of the seasonal naive forecast on the training window (Hyndman and Koehler,
2006), so MASE < 1 beats seasonal naive's one-step in-sample error.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .errors import DataError

METRICS = ("mase", "smape", "mae", "rmse")


def _pair(actual: ArrayLike, forecast: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    if a.shape != f.shape or a.size == 0:
        raise ValueError(
            f"actual and forecast must have one non-empty shape, got {a.shape}, {f.shape}"
        )
    return a, f


def mae(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Mean absolute error."""
    a, f = _pair(actual, forecast)
    return float(np.mean(np.abs(a - f)))


def rmse(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Root mean squared error."""
    a, f = _pair(actual, forecast)
    return float(np.sqrt(np.mean((a - f) ** 2)))


def smape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Symmetric MAPE in percent (0-200); a pair of zeros counts as no error."""
    a, f = _pair(actual, forecast)
    denominator = np.abs(a) + np.abs(f)
    ratio = np.divide(2 * np.abs(a - f), denominator, out=np.zeros_like(a), where=denominator > 0)
    return float(100 * np.mean(ratio))


def mase_scale(train: ArrayLike, season: int) -> float:
    """The in-sample MAE of seasonal naive (naive when the window is too short for a season)."""
    y = np.asarray(train, dtype=float)
    lag = season if len(y) > season else 1
    if len(y) <= lag:
        raise DataError(f"MASE needs more than {lag} training values, got {len(y)}")
    scale = float(np.mean(np.abs(y[lag:] - y[:-lag])))
    if scale == 0:
        raise DataError("MASE is undefined: the training window is constant")
    return scale


def mase(actual: ArrayLike, forecast: ArrayLike, train: ArrayLike, season: int) -> float:
    """Mean absolute scaled error against seasonal naive's in-sample error on ``train``."""
    return mae(actual, forecast) / mase_scale(train, season)


def coverage(actual: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Share of actual values inside their prediction interval."""
    a, lo = _pair(actual, lower)
    _, hi = _pair(actual, upper)
    return float(np.mean((a >= lo) & (a <= hi)))


def scores(actual: ArrayLike, forecast: ArrayLike, scale: float) -> dict[str, float]:
    """Every metric for one forecast, MASE with a precomputed ``scale``."""
    return {
        "mase": mae(actual, forecast) / scale,
        "smape": smape(actual, forecast),
        "mae": mae(actual, forecast),
        "rmse": rmse(actual, forecast),
    }
