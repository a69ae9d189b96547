"""Print top-N movie recommendations for one user, with titles.

Uses the EASE model that ``make train`` fitted on every rating of the current data
(DATA=sample|full); movies the user has already rated are never recommended.
"""

from __future__ import annotations

import argparse

import numpy as np

from .config import load_config
from .data import load_dataset
from .errors import DataError, NotTrainedError
from .models import load_models, top_n
from .paths import shown
from .settings import add_data_argument, data_mode
from .train import model_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``predict``: ``--user ID``, ``-k N`` (default: evaluation.k) and ``--data``."""
    parser.add_argument("--user", type=int, required=True, help="user id as in u.data")
    parser.add_argument("-k", type=int, help="list size (default: evaluation.k in the config)")
    add_data_argument(parser)


def recommend(user_id: int, k: int, mode: str | None = None) -> list[tuple[int, str, float]]:
    """The ``k`` best unseen movies for a user: (item id, title, EASE score)."""
    if k < 1:
        raise DataError(f"-k must be at least 1, got {k}")
    settings = load_config()
    mode = data_mode(mode)
    path = model_path(mode, "all")
    if not path.is_file():
        raise NotTrainedError(f"{shown(path)} not found: run `make train` (DATA={mode}) first")
    dataset = load_dataset(mode, settings)
    encoder, models = load_models(path)
    user = encoder.user_index(np.array([user_id]))
    if user[0] < 0:
        ids = encoder.user_ids
        raise DataError(
            f"user {user_id} has no ratings in the {dataset.label} "
            f"(known user ids: {ids.min()}..{ids.max()})"
        )
    seen = encoder.transform(dataset.ratings).matrix(binary=True)
    model = models["ease"]
    items = top_n(model, seen, user, k)[0]
    scores = np.asarray(model.scores(user))[0, items]
    return [
        (int(encoder.item_ids[i]), str(dataset.titles[encoder.item_ids[i]]), float(s))
        for i, s in zip(items, scores, strict=True)
    ]


def run(args: argparse.Namespace) -> int:
    """Print the list."""
    k = args.k if args.k is not None else load_config().evaluation.k
    recommendations = recommend(args.user, k, args.data)
    print(f"Top {len(recommendations)} for user {args.user} (EASE):")
    for rank, (item_id, title, score) in enumerate(recommendations, start=1):
        print(f"{rank:>3}. {title}  (item {item_id}, score {score:.3f})")
    return 0
