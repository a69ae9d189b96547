"""Backtest every model; write eval/ (metrics, figures, report) and the README and model card.

The rolling-origin backtest refits each model on each fold's training window; the models
``make train`` fitted on the whole series give the residual diagnostics. "Train" scores are each model's in-sample one-step fit on those windows, next
to the out-of-sample "test" scores, so over-fitting shows. MASE on the test folds is the primary
metric; seasonal naive (naive for a series without a season) is the baseline.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import figures
from .artifacts import read_meta
from .backtest import BacktestResult, run_backtest
from .config import Settings, load_config
from .data import SeriesSet, as_dict, load_data
from .envelope import ModelResult, PrimaryMetric, SplitInfo, build_envelope, write_envelope
from .errors import NotTrainedError
from .models import BASELINES, LABELS, Forecaster, baseline_name, model_names
from .paths import eval_dir, models_dir
from .report import data_line, markdown_table, write_results
from .settings import DataMode, data_mode
from .train import MODELS_FILE, load_models

PRIMARY = PrimaryMetric("mase", "lower")
PACKAGES = ("statsmodels", "scikit-learn", "numpy", "pandas", "scipy", "matplotlib", "pydantic")
FIGURES = {"forecast": "forecast.png", "residuals": "residuals.png", "horizon": "horizon.png"}


def choose(config: Settings, result: BacktestResult) -> str:
    """The model predict uses: the configured one, or the non-baseline with the lowest MASE."""
    if config.models.chosen != "auto" and config.models.chosen in result.names:
        return config.models.chosen
    models = [n for n in result.names if n not in BASELINES]
    return result.best("mase", models or result.names)


def protocol(config: Settings, result: BacktestResult) -> str:
    """The split in words."""
    cfg = config.backtest
    return (
        f"rolling-origin backtest, expanding window: {result.folds} fold(s) of horizon {result.horizon}, "
        f"origins {cfg.step} periods apart, the last ending at the last observation; each fold "
        "trains on everything before its origin"
    )


def envelope_for(
    config: Settings, data: SeriesSet, result: BacktestResult, chosen: str
) -> dict[str, Any]:
    """The metrics envelope of a backtest."""
    baseline = baseline_name(result.names)
    models = {
        name: ModelResult(
            label=LABELS[name],
            params={
                k: v for k, v in result.selected[name][-1].items() if k not in ("series", "fold")
            }
            | {"fit_seconds_total": result.seconds[name]},
            train=result.train[name],
            test=result.test[name] | {"coverage": result.coverage[name]},
        )
        for name in result.names
    }
    extras = {
        "series": as_dict(data),
        "backtest": {
            "horizon": result.horizon,
            "step": config.backtest.step,
            "folds": result.folds,
            "level": result.level,
            "fold_train_sizes": result.train_sizes[: result.folds],
        },
        "chosen_by": (
            "configured (models.chosen)"
            if config.models.chosen != "auto"
            else "lowest test MASE among the non-baseline models, on the same folds it is "
            "scored on (so its score is slightly optimistic)"
        ),
        "per_step": result.per_step,
        "selected": {n: s[:60] for n, s in result.selected.items() if n in ("ets", "arima")},
    }
    return build_envelope(
        data=data.info(),
        split=SplitInfo(
            protocol=protocol(config, result),
            train_size=sum(result.train_sizes[:: result.folds]),  # before each first origin
            test_size=len(result.forecasts) // len(result.names),  # forecasts scored per model
        ),
        primary=PRIMARY,
        baseline=baseline,
        chosen=chosen,
        models=models,
        extras=extras,
        packages=PACKAGES,
    )


def plot_forecasts(
    data: SeriesSet, result: BacktestResult, chosen: str, baseline: str, label: str
) -> Path:
    """The first series with each fold's forecasts and intervals of the chosen model and baseline."""
    plt = figures.pyplot()
    sid, values = next(iter(data.series.items()))
    frame = result.forecasts[result.forecasts["series"] == sid]
    start = frame["origin"].min()
    shown_from = values.index[max(0, values.index.get_loc(start) - 3 * result.horizon)]
    fig, ax = plt.subplots(figsize=(9, 4.2))
    history = values[shown_from:]
    ax.plot(history.index, history.to_numpy(), color="black", linewidth=1.2, label="actual")
    for name, color in ((baseline, "tab:grey"), (chosen, "tab:blue")):
        part = frame[frame["model"] == name]
        for fold, group in part.groupby("fold"):
            ax.plot(
                group["date"],
                group["mean"],
                color=color,
                linewidth=1.4,
                label=LABELS[name] if fold == 0 else None,
            )
            if name == chosen:
                ax.fill_between(
                    group["date"],
                    group["lower"],
                    group["upper"],
                    color=color,
                    alpha=0.2,
                    label=f"{result.level:.0%} interval (coverage {result.coverage[name]:.0%})"
                    if fold == 0
                    else None,
                )
        for origin in part["origin"].unique():
            ax.axvline(origin, color="grey", linestyle=":", linewidth=0.8)
    title = f"Backtest forecasts, series {sid}" if len(data.series) > 1 else "Backtest forecasts"
    ax.set_title(f"{title} (dotted lines: fold origins)", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return figures.save(fig, FIGURES["forecast"], label)


def plot_residuals(
    model: Forecaster, values: pd.Series, name: str, season: int, label: str
) -> Path:
    """Residual diagnostics of a model fitted on the whole series: over time, histogram, ACF."""
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.tsa.stattools import acf

    plt = figures.pyplot()
    residuals = (values - model.fitted()).dropna()
    lags = max(1, min(2 * max(season, 12), len(residuals) // 2))
    correlations = acf(residuals.to_numpy(), nlags=lags, fft=True)[1:]
    p_value = float(acorr_ljungbox(residuals.to_numpy(), lags=[lags])["lb_pvalue"].iloc[0])
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
    axes[0].plot(residuals.index, residuals.to_numpy(), linewidth=0.9)
    axes[0].axhline(0, color="grey", linewidth=0.8)
    axes[0].set_title("In-sample residuals", fontsize=9)
    axes[1].hist(residuals.to_numpy(), bins=20, color="tab:blue", alpha=0.8)
    axes[1].set_title("Distribution", fontsize=9)
    bound = 1.96 / np.sqrt(len(residuals))
    axes[2].bar(np.arange(1, lags + 1), correlations, width=0.6)
    axes[2].axhline(bound, color="grey", linestyle="--", linewidth=0.8)
    axes[2].axhline(-bound, color="grey", linestyle="--", linewidth=0.8)
    axes[2].set_title(f"ACF (Ljung-Box p = {p_value:.3f} at lag {lags})", fontsize=9)
    fig.suptitle(f"Residual diagnostics: {LABELS[name]}, fitted on the whole series", fontsize=10)
    return figures.save(fig, FIGURES["residuals"], label)


def plot_horizon(result: BacktestResult, label: str) -> Path:
    """MASE at each horizon step, per model."""
    plt = figures.pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    steps = np.arange(1, result.horizon + 1)
    for name in result.names:
        ax.plot(steps, result.per_step[name]["mase"], marker="o", markersize=3, label=LABELS[name])
    ax.set_xlabel("horizon step")
    ax.set_ylabel("MASE (mean over folds)")
    ax.set_title("Error by horizon step", fontsize=10)
    ax.legend(fontsize=8)
    return figures.save(fig, FIGURES["horizon"], label)


def results_table(envelope: dict[str, Any]) -> str:
    """Markdown table: in-sample and backtest scores of every model."""
    level = envelope["extras"]["backtest"]["level"]
    header = ["Model", "Train MASE (in-sample)", "Test MASE", "Test sMAPE %", "Test MAE"]
    header += ["Test RMSE", f"{level:.0%} interval coverage", "Selected (last fold)"]
    rows = []
    for model in envelope["models"].values():
        train, test = model["metrics"]["train"], model["metrics"]["test"]
        rows.append(
            [
                model["label"],
                f"{train['mase']:.3f}",
                f"{test['mase']:.3f}",
                f"{test['smape']:.2f}",
                f"{test['mae']:.4g}",
                f"{test['rmse']:.4g}",
                f"{test['coverage']:.0%}",
                str(model["params"].get("model", "")),
            ]
        )
    return markdown_table(header, rows)


def horizon_table(envelope: dict[str, Any]) -> str:
    """MASE at each horizon step (at most 12 columns), per model."""
    per_step = envelope["extras"]["per_step"]
    horizon = envelope["extras"]["backtest"]["horizon"]
    shown = sorted({*np.linspace(1, horizon, min(horizon, 12)).round().astype(int)})
    rows = [
        [model["label"], *(f"{per_step[name]['mase'][s - 1]:.2f}" for s in shown)]
        for name, model in envelope["models"].items()
    ]
    return markdown_table(["MASE at step", *map(str, shown)], rows)


def verdict(envelope: dict[str, Any]) -> str:
    """The chosen model against the baseline on the primary metric."""
    models = envelope["models"]
    chosen, baseline = models[envelope["chosen_model"]], models[envelope["baseline"]]
    c, b = chosen["metrics"]["test"], baseline["metrics"]["test"]
    return (
        f"Primary metric: test MASE (lower is better). {chosen['label']}: {c['mase']:.3f} "
        f"(sMAPE {c['smape']:.2f} %), against the baseline {baseline['label']}: "
        f"{b['mase']:.3f} (sMAPE {b['smape']:.2f} %)."
    )


def fairness_section(envelope: dict[str, Any]) -> str:
    """A plain statement of what a series without groups lets us assess, and what not."""
    data = envelope["data"]
    return (
        f"The data is {data['description']} ({data['name']}): aggregate values with no group "
        "column and no attribute of people, so per-group metrics and group fairness **cannot be "
        "assessed** from it. What can be assessed is where the errors fall: by horizon (the "
        "table above and `eval/report.md`) and how often the intervals hold the actual values "
        "(coverage). A forecast used to allocate resources between regions or groups needs one "
        "series per group and its errors compared across them before such use."
    )


def write_report(envelope: dict[str, Any], path: Path) -> None:
    """eval/report.md: scores, per-horizon errors, what the automatic searches picked."""
    selected = envelope["extras"]["selected"]
    picks = [
        [LABELS[name], str(s["series"]), str(s["fold"]), str(s.get("model", ""))]
        for name, entries in selected.items()
        for s in entries[:12]
    ]
    text = "\n\n".join(
        [
            "# Evaluation report",
            data_line(envelope),
            verdict(envelope),
            f"Chosen model: {envelope['extras']['chosen_by']}.",
            results_table(envelope),
            "## Error by horizon step",
            horizon_table(envelope),
            "![Forecasts](figures/forecast.png)",
            "![Error by horizon](figures/horizon.png) ![Residuals](figures/residuals.png)",
            "## What the automatic searches picked",
            markdown_table(["model", "series", "fold", "selected"], picks)
            if picks
            else "No model with an automatic search ran.",
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")


def evaluate(config: Settings, mode: DataMode, docs: bool = True) -> dict[str, Any]:
    """Backtest on ``mode``'s data; write eval/ and, when ``docs``, the README and model card."""
    meta = read_meta(models_dir(), mode, requires=MODELS_FILE)
    data = load_data(config, mode)
    names = model_names(config, data.season_length)
    if meta.get("data") != data.describe() or meta.get("models") != names:
        raise NotTrainedError(
            "the trained models do not match the data or models.include now: run `make train`"
        )
    result = run_backtest(data.series, config, names, data.season_length)
    chosen = choose(config, result)
    envelope = envelope_for(config, data, result, chosen)
    write_envelope(envelope)
    label = data.label()
    plot_forecasts(data, result, chosen, envelope["baseline"], label)
    plot_horizon(result, label)
    sid, values = next(iter(data.series.items()))
    plot_residuals(load_models()[sid][chosen], values, chosen, data.season_length, label)
    write_report(envelope, eval_dir() / "report.md")
    if docs:
        write_results(
            envelope,
            verdict=verdict(envelope),
            table=results_table(envelope),
            fairness=fairness_section(envelope),
            readme_more=[
                "![Backtest forecasts](eval/figures/forecast.png)",
                (
                    "Error by horizon step, residual diagnostics and what each search picked: "
                    "[eval/report.md](eval/report.md)."
                ),
            ],
        )
    return envelope


def run(args: argparse.Namespace) -> int:
    """Backtest on the data chosen by ``--data`` or ``$DATA`` and print the results table."""
    envelope = evaluate(load_config(), data_mode(args.data))
    print(data_line(envelope))
    print(verdict(envelope))
    print(results_table(envelope))
    print("Wrote eval/metrics.json, eval/report.md, eval/figures/, README.md and MODEL_CARD.md")
    return 0
