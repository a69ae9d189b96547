"""Print top-N movie recommendations for one user, with titles.

Uses the EASE model that ``make train`` fitted on every rating of the current data
(DATA=sample|full); movies the user has already rated are never recommended.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from .config import data_mode, load_config
from .data import load_dataset
from .models import load_models, top_n
from .train import model_path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--user ID -k N``."""
    config = load_config()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", type=int, required=True, help="user id as in u.data")
    parser.add_argument("-k", type=int, default=int(config["evaluation"]["k"]), help="list size")
    parser.add_argument("--data", choices=["sample", "full"], help="default: $DATA or sample")
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("-k must be at least 1")
    mode = data_mode(args.data)
    path = model_path(mode, "all")
    if not path.is_file():
        print(f"error: no trained model for DATA={mode}: run `make train` first", file=sys.stderr)
        return 1
    dataset = load_dataset(mode, config)
    encoder, models = load_models(path)
    user = encoder.user_index(np.array([args.user]))
    if user[0] < 0:
        ids = encoder.user_ids
        print(
            f"error: user {args.user} has no ratings in the {dataset.label} "
            f"(known user ids: {ids.min()}..{ids.max()})",
            file=sys.stderr,
        )
        return 2
    seen = encoder.transform(dataset.ratings).matrix(binary=True)
    model = models["ease"]
    items = top_n(model, seen, user, args.k)[0]
    scores = np.asarray(model.scores(user))[0, items]
    n_rated = seen[user[0]].nnz
    print(f"Top {len(items)} for user {args.user} ({n_rated} ratings; EASE on {dataset.label}):")
    for rank, (item, score) in enumerate(zip(items, scores, strict=True), start=1):
        item_id = encoder.item_ids[item]
        print(f"{rank:>3}. {dataset.titles[item_id]}  (item {item_id}, score {score:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
