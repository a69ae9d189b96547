"""Figures for eval/figures/: a headless matplotlib and a save that names the data on every plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .paths import figures_dir


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend: files only, so it works without a display (CI)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig: Any, name: str, data_label: str) -> Path:
    """Stamp ``Data: <label>`` under the figure, save it as ``eval/figures/<name>`` and close it.

    Every figure says which data produced it, so a plot of the fixture is never mistaken for
    one of the real dataset.
    """
    plt = pyplot()
    fig.text(0.5, 0.005, f"Data: {data_label}", ha="center", va="bottom", fontsize=7, alpha=0.8)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    path = figures_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    # No "Software" entry with matplotlib's version: same data, same bytes.
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path
