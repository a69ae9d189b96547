"""The forecasters: naive baselines, ETS, (seasonal) ARIMA and lag-feature gradient boosting.

Each one is fitted on the values of a training window (oldest first, a regular calendar) and
forecasts the next ``h`` periods with a prediction interval at a given level. Fitting sees only
the values it is given, so the backtest can never leak the future into a forecast.

- naive: the last value; seasonal naive: the value one season earlier (intervals as in
  Hyndman and Athanasopoulos, *Forecasting: Principles and Practice*, section 5.5);
- ETS: statsmodels' state-space exponential smoothing, the candidate with the lowest AICc;
- ARIMA: statsmodels' SARIMAX on a log or Box-Cox scale, the order with the lowest AIC;
- gbm: scikit-learn's HistGradientBoostingRegressor on lags relative to the recent level,
  forecasting recursively; its interval comes from one-step errors on the end of the training
  window that its fit did not see, widened with the square root of the horizon.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from .config import ETS_SPEC, Settings
from .errors import DataError
from .features import Transform, default_lags, lag_matrix, lag_row

LABELS = {
    "naive": "Naive (last value)",
    "seasonal_naive": "Seasonal naive",
    "ets": "ETS (exponential smoothing, AICc)",
    "arima": "SARIMA (AIC order search)",
    "gbm": "Gradient boosting on lags",
}
BASELINES = ("naive", "seasonal_naive")


@dataclass(frozen=True)
class Forecast:
    """Point forecasts and the prediction interval, one value per horizon step."""

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


CallableT = TypeVar("CallableT", bound=Callable[..., Any])


def single_threaded(method: CallableT) -> CallableT:
    """Run a fit or forecast on one BLAS/OpenMP thread.

    The series are short: threads cost more to start and synchronise than they save, and on a
    busy two-core machine their spin-waiting made a backtest 5 to 10 times slower (measured).
    threadpoolctl limits only the libraries already loaded, so scikit-learn's OpenMP code is
    imported with this module, not lazily.
    """

    @wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with threadpool_limits(limits=1):
            return method(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


class Forecaster:
    """Fit on a window, forecast ``h`` steps, report in-sample one-step fits."""

    name = ""

    def fit(self, y: np.ndarray) -> Forecaster:
        """Fit on the training values, oldest first."""
        raise NotImplementedError

    def predict(self, h: int, level: float) -> Forecast:
        """The next ``h`` periods with a ``level`` prediction interval."""
        raise NotImplementedError

    def fitted(self) -> np.ndarray:
        """In-sample one-step-ahead predictions (NaN where the model has none)."""
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        """The parameters and what was selected, for the report."""
        return {}


class SeasonalNaive(Forecaster):
    """The value one season earlier; ``season=1`` is the naive forecast."""

    def __init__(self, season: int) -> None:
        self.season = season
        self.name = "naive" if season == 1 else "seasonal_naive"

    def fit(self, y: np.ndarray) -> SeasonalNaive:
        m = self.season
        if len(y) <= m:
            raise DataError(f"{self.name} needs more than {m} values, got {len(y)}")
        self.y = np.asarray(y, dtype=float)
        residuals = self.y[m:] - self.y[:-m]
        self.sigma = float(np.sqrt(np.mean(residuals**2)))
        return self

    def predict(self, h: int, level: float) -> Forecast:
        m, steps = self.season, np.arange(1, h + 1)
        mean = self.y[len(self.y) - m + (steps - 1) % m]
        spread = _z(level) * self.sigma * np.sqrt((steps - 1) // m + 1)
        return Forecast(mean, mean - spread, mean + spread)

    def fitted(self) -> np.ndarray:
        out = np.full(len(self.y), np.nan)
        out[self.season :] = self.y[: -self.season]
        return out

    def params(self) -> dict[str, Any]:
        return {"season": self.season}


class Ets(Forecaster):
    """Exponential smoothing; the lowest-AICc candidate that suits the data."""

    name = "ets"

    def __init__(self, candidates: list[str], season: int, seed: int) -> None:
        self.candidates, self.season, self.seed = candidates, season, seed

    def usable(self, y: np.ndarray) -> list[str]:
        """Candidates that suit the window: no season without one, no multiplication below 0."""
        keep = []
        for spec in self.candidates:
            error, _, seasonal = ETS_SPEC.match(spec).groups()  # type: ignore[union-attr]
            if seasonal != "N" and (self.season < 2 or len(y) < 2 * self.season + 2):
                continue
            if "M" in (error, seasonal) and np.min(y) <= 0:
                continue
            keep.append(spec)
        return keep or ["ANN"]

    @single_threaded
    def fit(self, y: np.ndarray) -> Ets:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        self.n, best = len(y), None
        endog = pd.Series(np.asarray(y, dtype=float))  # statsmodels' simulation needs an index
        with warnings.catch_warnings():  # hard optimisations warn; the AICc judges the fits
            warnings.simplefilter("ignore")
            for spec in self.usable(y):
                error, trend, seasonal = ETS_SPEC.match(spec).groups()  # type: ignore[union-attr]
                model = ETSModel(
                    endog,
                    error="add" if error == "A" else "mul",
                    trend=None if trend == "N" else "add",
                    damped_trend=trend == "Ad",
                    seasonal={"N": None, "A": "add", "M": "mul"}[seasonal],
                    seasonal_periods=self.season if seasonal != "N" else None,
                )
                try:
                    result = model.fit(disp=False)
                except (ValueError, np.linalg.LinAlgError):
                    continue
                if np.isfinite(result.aicc) and (best is None or result.aicc < best[1].aicc):
                    best = (spec, result)
        if best is None:
            raise DataError("no ETS candidate could be fitted; check models.ets.candidates")
        self.spec, self.result = best
        return self

    @single_threaded
    def predict(self, h: int, level: float) -> Forecast:
        frame = self.result.get_prediction(
            start=self.n, end=self.n + h - 1, rng=np.random.default_rng(self.seed)
        ).summary_frame(alpha=1 - level)
        return Forecast(
            frame["mean"].to_numpy(), frame["pi_lower"].to_numpy(), frame["pi_upper"].to_numpy()
        )

    def fitted(self) -> np.ndarray:
        return np.asarray(self.result.fittedvalues, dtype=float)

    def params(self) -> dict[str, Any]:
        return {"model": f"ETS({self.spec})", "aicc": float(self.result.aicc)}


class Arima(Forecaster):
    """(Seasonal) ARIMA on a transformed scale; the lowest-AIC order of the configured ones."""

    name = "arima"

    def __init__(
        self, orders: list[list[int]], seasonal: list[list[int]], season: int, transform: str
    ) -> None:
        self.orders, self.seasonal, self.season = orders, seasonal, season
        self.transform = Transform(transform, "models.arima.transform")

    @single_threaded
    def fit(self, y: np.ndarray) -> Arima:
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        z = self.transform.fit(np.asarray(y, dtype=float)).forward(np.asarray(y, dtype=float))
        seasonal: list[tuple[int, ...]] = [(0, 0, 0, 0)]
        if self.season > 1 and len(z) >= 2 * self.season + 2:
            seasonal = [(*s, self.season) for s in self.seasonal]
        best = None
        with warnings.catch_warnings():  # hard optimisations warn; the AIC judges the fits
            warnings.simplefilter("ignore")
            for order, sorder in itertools.product(self.orders, seasonal):
                try:
                    result = SARIMAX(z, order=tuple(order), seasonal_order=sorder).fit(disp=False)
                except (ValueError, np.linalg.LinAlgError):
                    continue
                if np.isfinite(result.aic) and (best is None or result.aic < best[2].aic):
                    best = (tuple(order), sorder, result)
        if best is None:
            raise DataError("no ARIMA order could be fitted; check models.arima.orders")
        self.order, self.sorder, self.result = best
        self.n = len(z)
        return self

    @single_threaded
    def predict(self, h: int, level: float) -> Forecast:
        forecast = self.result.get_forecast(h)
        bounds = np.asarray(forecast.conf_int(alpha=1 - level))
        inverse = self.transform.inverse
        mean = inverse(np.asarray(forecast.predicted_mean))
        return Forecast(mean, inverse(bounds[:, 0]), inverse(bounds[:, 1]))

    def fitted(self) -> np.ndarray:
        out = self.transform.inverse(np.asarray(self.result.fittedvalues, dtype=float))
        burn = self.order[1] + self.sorder[1] * self.sorder[3]  # differencing has no fit there
        out[: max(burn, 1)] = np.nan
        return out

    def params(self) -> dict[str, Any]:
        p, d, q = self.order
        seasonal = "" if self.sorder[3] == 0 else "({},{},{})[{}]".format(*self.sorder)
        return {
            "model": f"ARIMA({p},{d},{q}){seasonal}",
            "transform": self.transform.kind,
            "aic": float(self.result.aic),
        }


class Gbm(Forecaster):
    """Gradient boosting on lag features, forecasting one step at a time on its own output."""

    name = "gbm"

    def __init__(self, config: Settings, season: int) -> None:
        cfg = config.models.gbm
        self.cfg, self.season, self.seed = cfg, season, config.seed
        self.lags = sorted(set(cfg.lags)) if cfg.lags else default_lags(season)
        self.transform = Transform(cfg.transform, "models.gbm.transform")

    def _regressor(self) -> HistGradientBoostingRegressor:
        return HistGradientBoostingRegressor(
            max_iter=self.cfg.max_iter,
            learning_rate=self.cfg.learning_rate,
            max_leaf_nodes=self.cfg.max_leaf_nodes,
            min_samples_leaf=self.cfg.min_samples_leaf,
            l2_regularization=self.cfg.l2_regularization,
            categorical_features=[len(self.lags)] if self.season > 1 else None,
            early_stopping=False,
            random_state=self.seed,
        )

    @single_threaded
    def fit(self, y: np.ndarray) -> Gbm:
        y = np.asarray(y, dtype=float)
        self.z = self.transform.fit(y).forward(y)
        x, target, self.levels = lag_matrix(self.z, self.lags, self.season)
        self.model = self._regressor().fit(x, target)
        self.in_sample = self.model.predict(x) + self.levels
        # one-step errors on the last part of the window, from a fit that did not see it
        held = min(max(2 * self.season, 8), len(target) // 3)
        if held >= 3:
            early = self._regressor().fit(x[:-held], target[:-held])
            errors = target[-held:] - early.predict(x[-held:])
        else:  # too short to hold anything out: in-sample errors (too narrow, and shown so)
            errors = target - self.model.predict(x)
        self.sigma = float(np.sqrt(np.mean(errors**2)))
        return self

    @single_threaded
    def predict(self, h: int, level: float) -> Forecast:
        history = list(self.z)
        for _ in range(h):
            t = len(history)
            row = lag_row(np.asarray(history), t, self.lags, self.season)
            level_t = float(np.mean(history[t - max(self.lags) : t]))
            history.append(float(self.model.predict(row[None, :])[0]) + level_t)
        mean = np.asarray(history[len(self.z) :])
        spread = _z(level) * self.sigma * np.sqrt(np.arange(1, h + 1))
        inverse = self.transform.inverse
        return Forecast(inverse(mean), inverse(mean - spread), inverse(mean + spread))

    def fitted(self) -> np.ndarray:
        out = np.full(len(self.z), np.nan)
        out[max(self.lags) :] = self.transform.inverse(self.in_sample)
        return out

    def params(self) -> dict[str, Any]:
        return {
            "lags": self.lags,
            "transform": self.transform.kind,
            **self.cfg.model_dump(exclude={"lags", "transform"}),
        }


def build(name: str, config: Settings, season: int) -> Forecaster:
    """An unfitted forecaster by its configuration name."""
    models = config.models
    if name == "naive":
        return SeasonalNaive(1)
    if name == "seasonal_naive":
        return SeasonalNaive(season)
    if name == "ets":
        return Ets(models.ets.candidates, season, config.seed)
    if name == "arima":
        arima = models.arima
        return Arima(arima.orders, arima.seasonal_orders, season, arima.transform)
    if name == "gbm":
        return Gbm(config, season)
    raise ValueError(f"unknown model {name!r}")


def model_names(config: Settings, season: int) -> list[str]:
    """The configured models in a fixed order; seasonal naive is naive without a season."""
    names: list[str] = [n for n in LABELS if n in config.models.include]
    if season == 1 and "seasonal_naive" in names:
        names.remove("seasonal_naive")
        if "naive" not in names:
            names.insert(0, "naive")
    return names


def baseline_name(names: list[str]) -> str:
    """The baseline the chosen model is compared with: seasonal naive, else naive."""
    for name in ("seasonal_naive", "naive"):
        if name in names:
            return name
    return names[0]
