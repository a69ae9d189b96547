"""Shared fixtures: the shipped sample, its time split, and models fitted on it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import yaml

from {{ package_name }}.config import CONFIG_PATH
from {{ package_name }}.data import load_dataset
from {{ package_name }}.models import MODELS, Model, build
from {{ package_name }}.split import Encoder, Interactions, time_split


@pytest.fixture(scope="session")
def config() -> dict[str, Any]:
    """The default configuration, without any tuned overlay, so tests are reproducible."""
    return yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ratings(config: dict[str, Any]) -> pd.DataFrame:
    """The shipped sample fixture."""
    return load_dataset("sample", config).ratings


@pytest.fixture(scope="session")
def split(
    ratings: pd.DataFrame, config: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, Interactions, Interactions]:
    """The per-user time split of the sample, raw and encoded."""
    train, test = time_split(ratings, config["split"]["test_fraction"])
    encoder = Encoder.fit(train)
    return train, test, encoder.transform(train), encoder.transform(test)


@pytest.fixture(scope="session")
def fitted(split: tuple, config: dict[str, Any]) -> dict[str, Model]:
    """Every model fitted on the sample's training part."""
    return {name: build(name, config).fit(split[2]) for name in MODELS}
