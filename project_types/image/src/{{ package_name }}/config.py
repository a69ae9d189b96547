"""The typed configuration of this project: every key of configs/default.yaml, checked.

A misspelt key, a missing key or a value of the wrong type is refused when a step starts, with
one line naming the file and the dotted key (see ``settings.py``), instead of failing later.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator

from . import settings
from .errors import ConfigError
from .paths import config_file, shown

# the core's sections are strict already; these are also checked when a value is reassigned
STRICT = ConfigDict(strict=True, extra="forbid", validate_assignment=True)
SHA256 = r"^[0-9a-f]{64}$"


class Section(settings.Section):
    """A configuration section: strict types (no "2" for 2), unknown keys refused."""

    model_config = STRICT


class IdxFile(Section):
    """One file of Fashion-MNIST: its name under the URL, and its SHA-256."""

    name: str = Field(min_length=1)
    sha256: str = Field(pattern=SHA256)


class FashionMnist(Section):
    """Where Fashion-MNIST comes from and goes to."""

    url: str = Field(min_length=1)
    raw_dir: str
    files: dict[Literal["train_images", "train_labels", "test_images", "test_labels"], IdxFile]

    @field_validator("files")
    @classmethod
    def _all_four(cls, files: dict[str, IdxFile]) -> dict[str, IdxFile]:
        missing = {"train_images", "train_labels", "test_images", "test_labels"} - set(files)
        if missing:
            raise ValueError(f"missing {', '.join(sorted(missing))}")
        return files


class FolderData(Section):
    """Your own images: one folder per class, plain or in an archive, local or at a URL."""

    path: str = Field(min_length=1)
    url: str | None
    sha256: str | None = Field(pattern=SHA256)
    min_per_class: int = Field(ge=2)


class DataSettings(Section):
    """Which images: the digits sample / Fashion-MNIST, or a folder of your own."""

    source: Literal["fashion_mnist", "folder"]
    sample: str
    test_size: float = Field(gt=0, lt=1)
    fashion_mnist: FashionMnist
    folder: FolderData


class ImageSettings(Section):
    """How every image is made the same shape."""

    size: list[int] | None = Field(min_length=2, max_length=2)
    color: Literal["grayscale", "rgb"]

    @field_validator("size")
    @classmethod
    def _positive(cls, size: list[int] | None) -> list[int] | None:
        if size is not None and not all(1 <= side <= 1024 for side in size):
            raise ValueError(f"must be [height, width] between 1 and 1024 pixels, got {size}")
        return size


class BaselineSettings(Section):
    """Logistic regression on pixels."""

    C: float = Field(gt=0)
    max_iter: int = Field(gt=0)
    max_train: int | None = Field(ge=10)


class ModelSettings(Section):
    """The main model: PCA + RBF SVC, or the CNN (see ``cnn``)."""

    kind: Literal["svc", "cnn"]
    features: Literal["pixels", "hog", "hog+pixels"]
    standardize: bool
    pca_components: int | float | None
    whiten: bool
    C: float = Field(gt=0)
    gamma: Literal["scale", "auto"] | float
    max_train: int | None = Field(ge=10)

    @field_validator("pca_components")
    @classmethod
    def _count_or_share(cls, value: float | None) -> int | float | None:
        if isinstance(value, bool) or (isinstance(value, int) and value < 1):
            raise ValueError("must be a count >= 1, a share of variance in (0, 1), or null")
        if isinstance(value, float) and not 0 < value < 1:
            raise ValueError("a share of variance must be between 0 and 1 (or give a count)")
        return value

    @field_validator("gamma")
    @classmethod
    def _positive_gamma(cls, value: str | float) -> str | float:
        if isinstance(value, float) and value <= 0:
            raise ValueError("must be 'scale', 'auto' or a number > 0")
        return value


class HogSettings(Section):
    """Histograms of oriented gradients, the SVC's features when ``model.features`` uses them."""

    orientations: int = Field(ge=2, le=36)
    pixels_per_cell: int = Field(ge=2, le=64)
    cells_per_block: int = Field(ge=1, le=8)


class Augment(Section):
    """Random changes to training images of the CNN."""

    hflip: bool
    shift: float = Field(ge=0, lt=0.5)
    rotate: float = Field(ge=0, le=180)


class CnnSettings(Section):
    """The small convolutional network (PyTorch)."""

    width: int = Field(ge=4, le=512)
    dropout: float = Field(ge=0, lt=1)
    lr: float = Field(gt=0)
    batch_size: int = Field(ge=1)
    max_epochs: int = Field(ge=1)
    patience: int = Field(ge=1)
    val_size: float = Field(gt=0, lt=1)
    augment: Augment
    device: Literal["auto", "cpu", "cuda", "mps"]
    # laid over the keys above with DATA=full: tens of thousands of images want larger batches
    # and fewer epochs than the 300-image sample
    full: dict[str, Any] = Field(default_factory=dict)

    def for_data(self, mode: str) -> CnnSettings:
        """These settings for ``mode``: with DATA=full, ``full`` laid over them."""
        if mode != "full" or not self.full:
            return self
        merged = settings.merge(self.model_dump(exclude={"full"}), self.full)
        return CnnSettings.model_validate(merged)


class EvaluationSettings(Section):
    """The learning curve and what the report shows."""

    cv_folds: int = Field(ge=2)
    curve_sizes: list[float] = Field(min_length=2)
    curve_max_samples: int = Field(ge=20)
    n_misclassified: int = Field(ge=0, le=100)

    @field_validator("curve_sizes")
    @classmethod
    def _shares(cls, sizes: list[float]) -> list[float]:
        if not all(0 < s <= 1 for s in sizes):
            raise ValueError(f"must be shares of the training split in (0, 1], got {sizes}")
        return sizes


TUNABLE = (
    "model.features",
    "model.pca_components",
    "model.C",
    "model.gamma",
    "hog.orientations",
    "hog.pixels_per_cell",
)
CNN_TUNABLE = ("cnn.lr", "cnn.width", "cnn.dropout", "cnn.batch_size")


class TuneSettings(Section):
    """The hyper-parameter search (``make tune``)."""

    search: Literal["grid", "random"]
    n_iter: int = Field(ge=1)
    cv_folds: int = Field(ge=2)
    max_samples: int | None = Field(ge=20)
    scoring: Literal["accuracy", "f1_macro", "balanced_accuracy"]
    space: dict[str, list[Any]]
    cnn_space: dict[str, list[Any]]

    @field_validator("space")
    @classmethod
    def _known_keys(cls, space: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return settings.check_space_keys(space, TUNABLE)

    @field_validator("cnn_space")
    @classmethod
    def _known_cnn_keys(cls, space: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return settings.check_space_keys(space, CNN_TUNABLE)


class Settings(settings.ProjectSettings):
    """The whole of configs/default.yaml (with configs/best_params.yaml laid over it)."""

    model_config = STRICT

    data: DataSettings
    images: ImageSettings
    baseline: BaselineSettings
    model: ModelSettings
    hog: HogSettings
    cnn: CnnSettings
    evaluation: EvaluationSettings
    tune: TuneSettings

    def for_data(self, mode: str) -> Settings:
        """The settings a step uses on ``mode``'s data (``cnn.full`` applied with DATA=full)."""
        return self.model_copy(update={"cnn": self.cnn.for_data(mode)})


def load_config(*, tuned: bool = True) -> Settings:
    """configs/default.yaml, with configs/best_params.yaml over it when ``tuned``, checked."""
    config = settings.load_settings(Settings, tuned=tuned)
    settings.check_space_values(config, config.tune.space, "tune.space")
    settings.check_space_values(config, config.tune.cnn_space, "tune.cnn_space")
    try:
        config.cnn.for_data("full")
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        raise ConfigError(f"{shown(config_file())}: cnn.full.{key}: {error['msg']}") from None
    return config
