"""Print top-N recommendations for one user, with titles.

Uses the EASE model that ``make train`` fitted on the per-user split's training part, applied
to every rating the user has in the current data (DATA=sample|full): nothing is fitted again.
Items the user has rated are never recommended; items first rated in the held-out part are
unknown to the model and never recommended either.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .config import load_config
from .data import Dataset, load_dataset
from .errors import DataError, NotTrainedError
from .models import EASE, load_models
from .paths import shown
from .settings import add_data_argument, data_mode
from .split import Encoder
from .train import model_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``predict``: ``--user ID``, ``-k N`` (default: evaluation.k) and ``--data``."""
    parser.add_argument("--user", required=True, help="user id as written in the ratings file")
    parser.add_argument("-k", type=int, help="list size (default: evaluation.k in the config)")
    add_data_argument(parser)


@dataclass(frozen=True)
class Predictor:
    """The trained EASE model and the ratings it recommends from, loaded once for many users."""

    dataset: Dataset
    encoder: Encoder
    model: EASE
    default_k: int  # evaluation.k of the configuration

    model_name: ClassVar[str] = "ease"  # its name in eval/metrics.json

    def recommend(self, user_id: str, k: int) -> list[tuple[str, str, float]]:
        """The ``k`` best unseen items for a user: (item id, title, EASE score)."""
        if k < 1:
            raise DataError(f"-k must be at least 1, got {k}")
        dataset, encoder, model = self.dataset, self.encoder, self.model
        ratings = dataset.ratings[dataset.ratings["user_id"] == str(user_id)]
        user = encoder.user_index(np.array([user_id]))
        if ratings.empty:
            examples = ", ".join(dataset.ratings["user_id"].drop_duplicates().head(3))
            raise DataError(
                f"user {user_id} has no ratings in the {dataset.label} "
                f"(user ids look like {examples})"
            )
        rated = encoder.transform(ratings)
        history = model.history(rated)[user.clip(0)] if user[0] >= 0 else None
        if history is None:  # rated only in the held-out part: their ratings, on a row of their own
            history = model.history(
                type(rated)(
                    np.zeros_like(rated.users), rated.items, rated.ratings, 1, rated.n_items
                )
            )
        scores = model.scores(user.clip(0), history=history)[0]
        scores[rated.items[rated.items >= 0]] = -np.inf
        order = np.argsort(-scores, kind="stable")
        items = [i for i in order[: min(k, len(order))] if np.isfinite(scores[i])]
        return [
            (str(encoder.item_ids[i]), dataset.title(str(encoder.item_ids[i])), float(scores[i]))
            for i in items
        ]


def load_predictor(mode: str | None = None) -> Predictor:
    """The EASE model ``make train`` fitted for this data (DATA=sample|full) and that data."""
    settings = load_config()
    mode = data_mode(mode)
    path = model_path(mode, "time")
    if not path.is_file():
        raise NotTrainedError(f"{shown(path)} not found: run `make train` (DATA={mode}) first")
    dataset = load_dataset(mode, settings)
    encoder, models, _ = load_models(path)
    model = models["ease"]
    assert isinstance(model, EASE)
    return Predictor(dataset, encoder, model, settings.evaluation.k)


def recommend(user_id: str, k: int, mode: str | None = None) -> list[tuple[str, str, float]]:
    """The ``k`` best unseen items for a user: (item id, title, EASE score)."""
    if k < 1:
        raise DataError(f"-k must be at least 1, got {k}")
    return load_predictor(mode).recommend(user_id, k)


def run(args: argparse.Namespace) -> int:
    """Print the list."""
    k = args.k if args.k is not None else load_config().evaluation.k
    recommendations = recommend(args.user, k, args.data)
    print(f"Top {len(recommendations)} for user {args.user} (EASE):")
    for rank, (item_id, title, score) in enumerate(recommendations, start=1):
        print(f"{rank:>3}. {title}  (item {item_id}, score {score:.3f})")
    return 0
