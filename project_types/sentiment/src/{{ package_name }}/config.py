"""The typed configuration of this project: every key of configs/default.yaml, checked.

A misspelt key, a missing key or a value of the wrong type is refused when a step starts, with
one line naming the file and the dotted key (see ``settings.py``), instead of failing later.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from . import settings
from .errors import ConfigError
from .paths import config_file, shown

# the core's sections are strict already; these are also checked when a value is reassigned
STRICT = ConfigDict(strict=True, extra="forbid", validate_assignment=True)


class Section(settings.Section):
    """A configuration section: strict types (no "2" for 2), unknown keys refused."""

    model_config = STRICT


# pydantic reports a ValueError raised in a validator as a validation error of the key.
def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number: an integer count or a share like 0.5")  # noqa: TRY004
    return value


def _label(value: Any) -> Any:
    if not isinstance(value, str | int | bool):
        raise ValueError("must be a string or a number")  # noqa: TRY004
    return value


# A count (int) or a share (float): sklearn treats 1 and 1.0 differently, so both are kept.
Number = Annotated[int | float, BeforeValidator(_number)]
Label = Annotated[str | int | bool, BeforeValidator(_label)]


def _ngram_range(value: list[int]) -> list[int]:
    if not 1 <= value[0] <= value[1]:
        raise ValueError(f"must be [low, high] with 1 <= low <= high, got {value}")
    return value


class CsvData(Section):
    """Your own labelled CSV file: which columns hold the text and the label."""

    path: str
    text_column: str
    label_column: str
    positive_label: Label
    test_size: float = Field(gt=0, lt=1)
    encoding: str


class DataSettings(Section):
    """Where the reviews come from: the IMDB layout (fixture or download) or a CSV."""

    source: Literal["imdb", "csv"]
    url: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    archive: str = Field(min_length=1)
    raw_dir: str
    sample_dir: str
    csv: CsvData


class FeatureSettings(Section):
    """Cleaning and TF-IDF parameters of the text pipeline."""

    lowercase: bool
    strip_html: bool
    word_ngram_range: list[int] = Field(min_length=2, max_length=2)
    min_df: Number = Field(gt=0)
    max_df: Number = Field(gt=0)
    max_features: int | None = Field(gt=0)
    sublinear_tf: bool
    char_ngrams: bool
    char_ngram_range: list[int] = Field(min_length=2, max_length=2)
    chi2_k: int | None = Field(gt=0)

    _check_word = field_validator("word_ngram_range")(_ngram_range)
    _check_char = field_validator("char_ngram_range")(_ngram_range)

    @field_validator("max_df")
    @classmethod
    def _share_or_count(cls, value: Number) -> Number:
        if isinstance(value, float) and value > 1:
            raise ValueError("a share must be at most 1.0 (or give a count as an integer)")
        return value


class BaselineSettings(Section):
    """The naive Bayes baseline."""

    nb_alpha: float = Field(gt=0)


class ModelSettings(Section):
    """The main classifier on top of the TF-IDF features."""

    kind: Literal["logreg", "linear_svm"]
    C: float = Field(gt=0)
    max_iter: int = Field(gt=0)


class EvaluationSettings(Section):
    """Cross-validation and what the report shows."""

    cv_folds: int = Field(ge=2)
    n_top_features: int = Field(ge=1)
    n_misclassified: int = Field(ge=0)


TUNABLE = (
    "features.word_ngram_range",
    "features.min_df",
    "features.max_df",
    "features.sublinear_tf",
    "features.chi2_k",
    "model.C",
)


class TuneSettings(Section):
    """The hyper-parameter search (``make tune``)."""

    search: Literal["grid", "random"]
    n_iter: int = Field(ge=1)
    cv_folds: int = Field(ge=2)
    scoring: Literal["accuracy", "f1", "roc_auc", "precision", "recall", "balanced_accuracy"]
    n_jobs: int | None
    space: dict[str, list[Any]]

    @field_validator("space")
    @classmethod
    def _known_keys(cls, space: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, values in space.items():
            if key not in TUNABLE:
                raise ValueError(f"cannot tune {key!r}; tunable keys: {', '.join(TUNABLE)}")
            if not values:
                raise ValueError(f"{key}: give at least one value")
        return space


class Settings(settings.ProjectSettings):
    """The whole of configs/default.yaml (with configs/best_params.yaml laid over it)."""

    model_config = STRICT

    data: DataSettings
    features: FeatureSettings
    baseline: BaselineSettings
    model: ModelSettings
    evaluation: EvaluationSettings
    tune: TuneSettings


def check_tune_space(config: Settings) -> None:
    """Every candidate of ``tune.space`` must be a valid value of its key."""
    for key, values in config.tune.space.items():
        section_name, name = key.split(".", 1)
        section = getattr(config, section_name)
        for value in values:
            try:
                type(section).model_validate(section.model_dump() | {name: value})
            except ValidationError as exc:
                reason = exc.errors()[0]["msg"]
                raise ConfigError(
                    f"{shown(config_file())}: tune.space.{key}: {value!r} is refused: {reason}"
                ) from None


def load_config(*, tuned: bool = True) -> Settings:
    """configs/default.yaml, with configs/best_params.yaml over it when ``tuned``, checked."""
    config = settings.load_settings(Settings, tuned=tuned)
    check_tune_space(config)
    return config
