"""Typed, validated configuration: ``configs/default.yaml`` with ``configs/best_params.yaml`` over it.

Each project type describes its configuration with pydantic models in its own ``config.py``
(subclasses of :class:`Section` and :class:`ProjectSettings`). The models hold no defaults:
every default lives in ``configs/default.yaml``, so there is one place to read and change them.
A missing, unknown or ill-typed key is a :class:`~.errors.ConfigError` of one line that names the
file and the dotted key, e.g. ``configs/default.yaml: evaluation.k: Input should be a valid
integer (got 'abc')``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import ConfigError
from .paths import best_params_file, config_file, shown

DataMode = Literal["sample", "full"]
DATA_MODES: tuple[DataMode, ...] = ("sample", "full")


class Section(BaseModel):
    """A strict block of settings: no unknown keys, no values of another type.

    An unknown key is most likely a typo; values keep their YAML type (no "2" for 2, no "yes"
    for true).
    """

    model_config = ConfigDict(extra="forbid", strict=True)


class ProjectSettings(Section):
    """The root of a type's settings; every type has a seed."""

    seed: int


SettingsT = TypeVar("SettingsT", bound=BaseModel)


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping from ``path`` (an empty file is an empty mapping)."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{shown(path)} not found") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or type(err).__name__
        raise ConfigError(f"{shown(path)}:{where} invalid YAML ({problem})") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{shown(path)}: expected a mapping of keys, got {type(loaded).__name__}")
    return loaded


def merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overlay`` laid over it, mappings merged key by key."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _has_key(tree: Any, loc: tuple[int | str, ...]) -> bool:
    """Does the nested mapping/list ``tree`` have the item at ``loc``?"""
    for part in loc:
        if isinstance(tree, list):
            if not (isinstance(part, int) and part < len(tree)):
                return False
        elif not (isinstance(tree, dict) and part in tree):
            return False
        tree = tree[part]
    return True


def describe_error(err: ValidationError, files: list[tuple[Path, dict[str, Any]]]) -> str:
    """One line for the first problem: the file that set the key, the dotted key, the reason."""
    first = err.errors()[0]
    loc = tuple(first["loc"])
    # The key was set by the last file that has it (best_params.yaml overrides default.yaml).
    source = next((p for p, tree in reversed(files) if _has_key(tree, loc)), files[0][0])
    key = ".".join(str(part) for part in loc) or "(top level)"
    message = first["msg"]
    if first["type"] not in ("missing", "extra_forbidden") and "input" in first:
        message += f" (got {first['input']!r})"
    more = len(err.errors()) - 1
    if more:
        message += f"; and {more} more problem{'s' if more > 1 else ''}"
    return f"{shown(source)}: {key}: {message}"


def load_settings(model: type[SettingsT], *, tuned: bool = True) -> SettingsT:
    """Read ``configs/default.yaml`` (and ``best_params.yaml`` over it if ``tuned``) into ``model``."""
    files = [(config_file(), read_yaml(config_file()))]
    overlay = best_params_file()
    if tuned and overlay.is_file():
        files.append((overlay, read_yaml(overlay)))
    raw: dict[str, Any] = {}
    for _, tree in files:
        raw = merge(raw, tree)
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(describe_error(err, files)) from None


def check_space_keys(space: dict[str, list[Any]], tunable: Sequence[str]) -> dict[str, list[Any]]:
    """A search space's keys must be tunable and each must list a value (a field validator's body)."""
    for key, values in space.items():
        if key not in tunable:
            raise ValueError(f"cannot tune {key!r}; tunable keys: {', '.join(tunable)}")
        if not values:
            raise ValueError(f"{key}: give at least one value")
    return space


def section_of(config: BaseModel, key: str) -> tuple[BaseModel, str]:
    """The section holding a dotted key such as ``models.gbm.lags``, and the key's last part."""
    *parts, name = key.split(".")
    section = config
    for part in parts:
        section = getattr(section, part)
    return section, name


def check_space_values(config: BaseModel, space: dict[str, list[Any]], where: str) -> None:
    """Every candidate of a search space must be a valid value of its key.

    Checked when the configuration is read, so a typo in ``configs/default.yaml`` fails at once,
    not an hour into ``make tune``. ``where`` is the space's dotted key, e.g. ``tune.space``.
    """
    for key, values in space.items():
        section, name = section_of(config, key)
        for value in values:
            try:
                type(section).model_validate(section.model_dump() | {name: value})
            except ValidationError as exc:
                reason = exc.errors()[0]["msg"]
                raise ConfigError(
                    f"{shown(config_file())}: {where}.{key}: {value!r} is refused: {reason}"
                ) from None


def data_mode(value: str | None = None) -> DataMode:
    """Which data to use: the argument, else ``$DATA``, else the shipped sample."""
    mode = value or os.environ.get("DATA") or "sample"
    if mode not in DATA_MODES:
        raise ConfigError(f"DATA must be 'sample' or 'full', got {mode!r}")
    return cast(DataMode, mode)


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--data sample|full`` option the steps share (default: ``$DATA``, else sample)."""
    parser.add_argument(
        "--data",
        choices=DATA_MODES,
        help="which data: the shipped sample or the full download (default: $DATA, else sample)",
    )
