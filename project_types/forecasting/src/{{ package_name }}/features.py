"""Preprocessing fitted on a training window only: variance-stabilising transforms, lag features.

A transform's parameter (Box-Cox's lambda) is estimated from the values it is fitted on and
nothing later. Lag features for period ``t`` are built from values before ``t`` only, relative
to their own recent level, so a model learns shape rather than the series' height and can
follow a trend it has not seen the end of.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special, stats

from .errors import DataError


class Transform:
    """``none``, ``log`` or ``boxcox`` (lambda fitted by maximum likelihood in :meth:`fit`)."""

    def __init__(self, kind: str, setting: str = "the transform") -> None:
        self.kind, self.setting = kind, setting
        self.lam: float | None = None

    def fit(self, y: np.ndarray) -> Transform:
        """Check the values suit the transform and estimate its parameter from them."""
        if self.kind != "none" and np.min(y) <= 0:
            raise DataError(
                f"a {self.kind} transform needs positive values and the series has "
                f"{np.min(y):g}: set {self.setting}: none in configs/default.yaml"
            )
        if self.kind == "boxcox":
            self.lam = float(stats.boxcox(y)[1])
        return self

    def forward(self, y: np.ndarray) -> np.ndarray:
        """Original scale -> model scale."""
        if self.kind == "log":
            return np.log(y)
        if self.kind == "boxcox":
            return np.asarray(special.boxcox(y, self.lam))
        return np.asarray(y, dtype=float)

    def inverse(self, z: np.ndarray) -> np.ndarray:
        """Model scale -> original scale (quantiles map to quantiles: the transform is monotone)."""
        if self.kind == "log":
            return np.exp(np.minimum(z, 700.0))
        if self.kind == "boxcox":
            assert self.lam is not None
            if self.lam != 0:  # keep inside the transform's range, where it is invertible
                bound = -1.0 / self.lam
                z = np.minimum(z, bound - 1e-9) if self.lam < 0 else np.maximum(z, bound + 1e-9)
            return np.asarray(special.inv_boxcox(z, self.lam))
        return np.asarray(z, dtype=float)


def default_lags(season: int) -> list[int]:
    """1 .. season length, and at least 1 .. 3."""
    return list(range(1, max(season, 3) + 1))


def lag_row(history: np.ndarray, t: int, lags: Sequence[int], season: int) -> np.ndarray:
    """Features of period ``t`` from ``history[:t]`` only: lags minus the level, season position.

    The level is the mean of the last ``max(lags)`` values before ``t``.
    """
    window = max(lags)
    level = float(np.mean(history[t - window : t]))
    row = [history[t - k] - level for k in lags]
    if season > 1:
        row.append(float(t % season))
    return np.asarray(row, dtype=float)


def lag_matrix(
    z: np.ndarray, lags: Sequence[int], season: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, targets (value minus level) and levels for every period with a full window."""
    window = max(lags)
    if len(z) <= window + 1:
        raise DataError(
            f"lag features need more than {window + 1} values, got {len(z)}; use shorter lags"
        )
    rows = [lag_row(z, t, lags, season) for t in range(window, len(z))]
    levels = np.asarray([np.mean(z[t - window : t]) for t in range(window, len(z))])
    return np.vstack(rows), z[window:] - levels, levels
