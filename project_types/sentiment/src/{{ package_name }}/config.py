"""The typed configuration of this project: every key of configs/default.yaml, checked.

A misspelt key, a missing key or a value of the wrong type is refused when a step starts, with
one line naming the file and the dotted key (see ``settings.py``), instead of failing later.
"""

from __future__ import annotations

import codecs
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from . import settings

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
    if not isinstance(value, str | int | float | bool):
        raise ValueError("must be a string or a number")  # noqa: TRY004
    return value


def _auto_or_count(value: Any) -> Any:
    if value != "auto" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ValueError("must be auto, a count like 2 or a share like 0.01")
    if value != "auto" and value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _auto_or_bool(value: Any) -> Any:
    if value != "auto" and not isinstance(value, bool):
        raise ValueError("must be true, false or auto")
    return value


# A count (int) or a share (float): sklearn treats 1 and 1.0 differently, so both are kept.
Number = Annotated[int | float, BeforeValidator(_number)]
Label = Annotated[str | int | float | bool, BeforeValidator(_label)]  # a value in the data
AutoNumber = Annotated[Literal["auto"] | int | float, BeforeValidator(_auto_or_count)]
AutoBool = Annotated[Literal["auto"] | bool, BeforeValidator(_auto_or_bool)]


def label_key(value: object) -> str:
    """How a label value is compared: ``1``, ``1.0`` and ``"1"`` match, and case does not count."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lower()


def _ngram_range(value: list[int]) -> list[int]:
    if not 1 <= value[0] <= value[1]:
        raise ValueError(f"must be [low, high] with 1 <= low <= high, got {value}")
    return value


class LabelMap(Section):
    """Which label values (or class folder names) mean positive, negative, or drop the row."""

    positive: list[Label] = Field(min_length=1)
    negative: list[Label] = Field(min_length=1)
    drop: list[Label]

    @model_validator(mode="after")
    def _disjoint(self) -> LabelMap:
        seen: dict[str, str] = {}
        for group in ("positive", "negative", "drop"):
            for value in getattr(self, group):
                key = label_key(value)
                if key in seen:
                    raise ValueError(f"{value!r} is in both {seen[key]} and {group}")
                seen[key] = group
        return self


class FolderSettings(Section):
    """format: folders -- one folder of text files per class, e.g. ``pos/`` and ``neg/``."""

    root: str  # the folder (in the archive, or under the source folder) holding them; "" = top
    train: str | None  # sub-folders with a split of their own; null: a stratified hold-out
    test: str | None

    @model_validator(mode="after")
    def _both_or_neither(self) -> FolderSettings:
        if (self.train is None) != (self.test is None):
            raise ValueError("give both train and test split folders, or neither (null)")
        return self


class TableSettings(Section):
    """format: table -- CSV, TSV, Parquet or JSON lines, one text and its label a row."""

    file: str | None  # the file inside an archive or folder source; null: the source itself
    test_file: str | None  # a second file holding the test split; null: a stratified hold-out
    kind: Literal["auto", "csv", "tsv", "parquet", "jsonl"]
    header: bool
    quoting: Literal["auto", "quoted", "none"]
    text: str | int  # a column name, or a 0-based position
    label: str | int

    @model_validator(mode="after")
    def _positions_without_header(self) -> TableSettings:
        if not self.header and not (isinstance(self.text, int) and isinstance(self.label, int)):
            raise ValueError("without a header, give text and label as 0-based column positions")
        return self


class SourceSettings(Section):
    """One data set: where it is, its shape, its encoding and what its labels mean."""

    source: str = Field(min_length=1)  # a URL, or a path: a file, an archive or a folder
    sha256: str | None = Field(pattern=r"^[0-9a-f]{64}$")
    format: Literal["folders", "table"]
    encoding: str
    labels: LabelMap
    test_size: float = Field(gt=0, lt=1)
    folders: FolderSettings | None
    table: TableSettings | None

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r}; e.g. utf-8, latin-1, cp1252") from None
        return value

    @model_validator(mode="after")
    def _shape_given(self) -> SourceSettings:
        if getattr(self, self.format) is None:
            raise ValueError(f"format is {self.format}: describe it under {self.format}")
        return self


class DataSettings(Section):
    """The full data (``DATA=full``, fetched by ``make data``) and the shipped sample."""

    full: SourceSettings
    sample: SourceSettings


class FeatureSettings(Section):
    """Cleaning and TF-IDF parameters of the text pipeline."""

    lowercase: bool
    strip_html: bool
    word_ngram_range: list[int] = Field(min_length=2, max_length=2)
    min_df: AutoNumber
    max_df: Number = Field(gt=0)
    max_features: int | None = Field(gt=0)
    sublinear_tf: bool
    char_ngrams: AutoBool
    char_ngram_range: list[int] = Field(min_length=2, max_length=2)
    chi2_k: int | None = Field(gt=0)
    auto_max_texts: int = Field(ge=0)  # min_df auto: 1 up to this many training texts, else 2
    auto_max_chars: int = Field(ge=0)  # char_ngrams auto: tried up to this many characters

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


Candidate = Literal["nb_logreg", "logreg", "linear_svm", "mnb"]


class ModelSettings(Section):
    """The candidates for the main model; training keeps the one that cross-validates best."""

    candidates: list[Candidate] = Field(min_length=1)
    C: float = Field(gt=0)  # logreg and linear_svm
    nb_C: float = Field(gt=0)  # nb_logreg
    nb_alpha: float = Field(gt=0)  # smoothing of nb_logreg's naive Bayes ratios
    nb_beta: list[float] = Field(min_length=1)  # interpolation weights of nb_logreg tried by CV
    mnb_alpha: float = Field(gt=0)  # smoothing of the mnb candidate
    max_iter: int = Field(gt=0)

    @field_validator("candidates")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("list each candidate once")
        return value

    @field_validator("nb_beta")
    @classmethod
    def _weights(cls, value: list[float]) -> list[float]:
        if not all(0 <= beta <= 1 for beta in value) or len(set(value)) != len(value):
            raise ValueError("list weights between 0 and 1, each once, e.g. [1.0, 0.5, 0.25]")
        return value


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
    "model.nb_C",
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
        return settings.check_space_keys(space, TUNABLE)


class Settings(settings.ProjectSettings):
    """The whole of configs/default.yaml (with configs/best_params.yaml laid over it)."""

    model_config = STRICT

    data: DataSettings
    features: FeatureSettings
    baseline: BaselineSettings
    model: ModelSettings
    evaluation: EvaluationSettings
    tune: TuneSettings


def load_config(*, tuned: bool = True) -> Settings:
    """configs/default.yaml, with configs/best_params.yaml over it when ``tuned``, checked."""
    config = settings.load_settings(Settings, tuned=tuned)
    settings.check_space_values(config, config.tune.space, "tune.space")
    return config
