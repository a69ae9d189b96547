"""Search hyper-parameters with time-series cross-validation inside the training window only.

The window is what precedes the backtest's first origin, so the search never sees a period the
backtest scores. Inside it, a rolling-origin split (``tune.folds`` folds of the backtest's horizon)
scores each candidate by MASE. Candidates are drawn at random from ``tune.space`` (``section.key:
[values]``); the best are written to configs/best_params.yaml, which every later step reads.
"""

from __future__ import annotations

import argparse
from typing import Any

from sklearn.model_selection import ParameterSampler

from .artifacts import write_best
from .backtest import origins, run_backtest
from .config import Settings, load_config
from .data import SeriesSet, load_data
from .errors import ConfigError
from .paths import shown
from .settings import data_mode

SCORED_BY = "Best time-series CV MASE inside the training window"  # what the header of best_params.yaml calls the score


def with_values(config: Settings, values: dict[str, Any]) -> Settings:
    """A copy of ``config`` with dotted keys set (checked like the file)."""
    tree = config.model_dump()
    for key, value in values.items():
        *parts, name = key.split(".")
        node = tree
        for part in parts:
            node = node[part]
        node[name] = value
    return Settings.model_validate(tree)


def training_windows(config: Settings, data: SeriesSet) -> dict[str, Any]:
    """Each series up to the backtest's first origin: all that tuning may see."""
    cfg = config.backtest
    return {
        sid: values.iloc[
            : origins(len(values), cfg.horizon, cfg.step, cfg.folds, data.season_length, str(sid))[
                0
            ]
        ]
        for sid, values in data.series.items()
    }


def tune(config: Settings, data: SeriesSet) -> tuple[dict[str, Any], float, list[dict[str, Any]]]:
    """Score the candidates; return the best overlay (nested), its CV MASE and every trial."""
    space = config.tune.space
    if not space:
        raise ConfigError("tune.space is empty: nothing to tune")
    names = sorted({key.split(".")[1] for key in space})
    missing = [n for n in names if n not in config.models.include]
    if missing:
        raise ConfigError(f"tune.space tunes {', '.join(missing)}, which models.include leaves out")
    windows = training_windows(config, data)
    horizon = config.backtest.horizon
    sampler = ParameterSampler(space, n_iter=config.tune.n_iter, random_state=config.seed)
    candidates = list({repr(sorted(c.items())): c for c in sampler}.values())  # no repeats
    trials = []
    for values in candidates:
        result = run_backtest(
            windows,
            with_values(config, values),
            names,
            data.season_length,
            horizon=horizon,
            step=horizon,
            folds=config.tune.folds,
        )
        score = sum(result.test[n]["mase"] for n in names) / len(names)
        trials.append({"values": values, "mase": score})
    best = min(trials, key=lambda t: t["mase"])
    overlay: dict[str, Any] = {}
    for key, value in best["values"].items():
        *parts, name = key.split(".")
        node = overlay
        for part in parts:
            node = node.setdefault(part, {})
        node[name] = value
    return overlay, float(best["mase"]), trials


def run(args: argparse.Namespace) -> int:
    """Tune on the data chosen by ``--data`` or ``$DATA``; write configs/best_params.yaml."""
    config = load_config(tuned=False)  # search around the defaults, not the last result
    data = load_data(config, data_mode(args.data))
    best, score, trials = tune(config, data)
    for trial in sorted(trials, key=lambda t: t["mase"]):
        print(f"  CV MASE {trial['mase']:.4f}  {trial['values']}")
    path = write_best(best, score, data.describe(), scored_by=SCORED_BY)
    print(f"Best CV MASE {score:.4f} with {best}")
    print(f"Wrote {shown(path)}; run `make train evaluate` to use it")
    return 0
