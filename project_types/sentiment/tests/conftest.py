"""Shared fixtures: the default configuration (without tuned overrides) and the sample splits."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import yaml

from {{ package_name }}.config import CONFIG_PATH
from {{ package_name }}.data import load_splits


@pytest.fixture
def config() -> dict[str, Any]:
    """configs/default.yaml as shipped, so `make tune` output does not change the tests."""
    return yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def sample(config: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The (train, test) frames of the shipped fixture."""
    return load_splits(config, "sample")
