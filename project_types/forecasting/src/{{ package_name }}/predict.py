"""Forecast the future with a trained model: ``python -m <package> predict --horizon 12``.

Writes the forecast with its prediction interval to a CSV (``eval/forecast.csv`` by default)
and prints it. The model is the one ``make evaluate`` chose, unless ``--model`` names another.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .artifacts import read_meta
from .config import MODEL_NAMES, Settings, load_config
from .errors import ConfigError, NotTrainedError
from .models import Forecaster
from .paths import eval_dir, models_dir, resolve, shown
from .settings import add_data_argument, data_mode
from .train import MODELS_FILE, load_models


def default_model(config: Settings, trained: list[str], mode: str) -> str:
    """The configured model, else the one the last evaluation on this data chose, else ETS."""
    if config.models.chosen != "auto":
        return config.models.chosen
    metrics = eval_dir() / "metrics.json"
    if metrics.is_file():
        envelope = json.loads(metrics.read_text(encoding="utf-8"))
        chosen = envelope.get("chosen_model")
        if envelope.get("data", {}).get("mode") == mode and chosen in trained:
            return str(chosen)
    for name in ("ets", "arima", "gbm", *trained):
        if name in trained:
            return name
    raise NotTrainedError("no trained model: run `make train` first")


@dataclass(frozen=True)
class Predictor:
    """One trained model for every series, with where each series ends, loaded once."""

    model_name: str  # its name in models/ and eval/metrics.json
    models: dict[str, Forecaster]  # by series
    last_dates: dict[str, pd.Timestamp]
    frequency: str
    level: float  # of the prediction interval, e.g. 0.95

    def forecast(self, horizon: int) -> pd.DataFrame:
        """The next ``horizon`` periods of every series: date, forecast and interval bounds."""
        if horizon < 1:
            raise ConfigError(f"--horizon must be at least 1, got {horizon}")
        level, frames = self.level, []
        for sid, model in self.models.items():
            result = model.predict(horizon, level)
            dates = pd.date_range(self.last_dates[sid], periods=horizon + 1, freq=self.frequency)
            frames.append(
                pd.DataFrame(
                    {
                        "series": sid,
                        "date": dates[1:],
                        "model": self.model_name,
                        "forecast": result.mean,
                        f"lower_{level:.0%}": result.lower,
                        f"upper_{level:.0%}": result.upper,
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)


def load_predictor(
    config: Settings, mode: str, model: str | None = None, directory: Path | None = None
) -> Predictor:
    """The trained ``model`` (default: the evaluated choice) of every series."""
    meta = read_meta(directory or models_dir(), mode, requires=MODELS_FILE)
    trained = list(meta["models"])
    name = model or default_model(config, trained, mode)
    if name not in trained:
        raise NotTrainedError(
            f"model {name!r} was not trained (trained: {', '.join(trained)}); add it to "
            "models.include and run `make train`"
        )
    return Predictor(
        model_name=name,
        models={sid: models[name] for sid, models in load_models(directory).items()},
        last_dates={sid: pd.Timestamp(date) for sid, date in meta["last_dates"].items()},
        frequency=meta["frequency"],
        level=config.backtest.level,
    )


def forecast(
    config: Settings,
    mode: str,
    horizon: int,
    model: str | None = None,
    directory: Path | None = None,
) -> pd.DataFrame:
    """The next ``horizon`` periods of every series: date, forecast and interval bounds."""
    return load_predictor(config, mode, model, directory).forecast(horizon)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Horizon, model and output file."""
    parser.add_argument("--horizon", type=int, help="periods ahead (default: backtest.horizon)")
    parser.add_argument("--model", choices=MODEL_NAMES, help="default: the evaluated choice")
    parser.add_argument("--output", help="CSV to write (default: eval/forecast.csv)")
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Forecast, write the CSV and print it."""
    config = load_config()
    horizon = config.backtest.horizon if args.horizon is None else args.horizon
    if horizon < 1:
        raise ConfigError(f"--horizon must be at least 1, got {horizon}")
    frame = forecast(config, data_mode(args.data), horizon, args.model)
    path = resolve(args.output) if args.output else eval_dir() / "forecast.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    with pd.option_context("display.max_rows", 60, "display.width", 120):
        print(frame.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"Wrote {shown(path)}")
    return 0
