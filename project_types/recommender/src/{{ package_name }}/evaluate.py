"""Evaluate the trained models on the held-out parts; write eval/ and the README and model card.

Rating error (RMSE, MAE) on train and test for the global mean, the bias baseline and MF, on the
per-user time split and on the random 80/20 split; top-N metrics on the time split for
popularity, the bias ranking, MF ranked by predicted rating, and EASE.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np
import pandas as pd

from .config import EVAL_DIR, FIGURES_DIR, PROJECT_ROOT, data_mode, load_config
from .data import load_dataset
from .metrics import coverage, mae, mean_popularity, ranking_metrics, rmse
from .models import Model, load_models, top_n
from .report import markdown_table, replace_between_markers
from .split import Encoder, Interactions, make_split
from .train import model_path

LABELS = {
    "global_mean": "global mean",
    "popularity": "popularity (baseline)",
    "bias": "bias (baseline)",
    "mf": "matrix factorisation (ALS)",
    "ease": "EASE",
}


def rating_errors(models: dict[str, Model], train: Interactions, test: Interactions) -> dict:
    """RMSE and MAE on train and test for the global mean and each rating model."""
    mean = float(train.ratings.mean())
    errors = {
        "global_mean": {
            part: {
                "rmse": rmse(d.ratings, np.full(len(d.ratings), mean)),
                "mae": mae(d.ratings, np.full(len(d.ratings), mean)),
            }
            for part, d in (("train", train), ("test", test))
        }
    }
    for name, model in models.items():
        if model.rates:
            errors[name] = {}
            for part, d in (("train", train), ("test", test)):
                predicted = model.predict(d.users, d.items)
                errors[name][part] = {
                    "rmse": rmse(d.ratings, predicted),
                    "mae": mae(d.ratings, predicted),
                }
    return errors


def relevant_sets(test: Interactions, threshold: float) -> tuple[np.ndarray, list[set[int]], int]:
    """Users with relevant held-out items, their sets, and how many relevant items are cold."""
    liked = (test.ratings >= threshold) & (test.users >= 0)
    by_user: dict[int, set[int]] = {}
    for user, item in zip(test.users[liked], test.items[liked], strict=True):
        by_user.setdefault(int(user), set()).add(int(item))  # a cold item (-1) is never hit
    users = np.array(sorted(by_user), dtype=int)
    return users, [by_user[u] for u in users], int((test.items[liked] < 0).sum())


def ranking_report(
    models: dict[str, Model], train: Interactions, test: Interactions, config: dict[str, Any]
) -> tuple[dict, dict]:
    """Top-N metrics at k for every model, and NDCG at each k of the curve."""
    evaluation = config["evaluation"]
    k, ks = (
        int(evaluation["k"]),
        sorted({int(x) for x in evaluation["ks"]} | {int(evaluation["k"])}),
    )
    users, relevant, _ = relevant_sets(test, float(evaluation["relevance_threshold"]))
    seen = train.matrix(binary=True)
    popularity = np.bincount(train.items, minlength=train.n_items) / train.n_users
    at_k, curve = {}, {}
    for name, model in models.items():
        lists = top_n(model, seen, users, max(ks))
        scores = ranking_metrics(lists[:, :k], relevant)
        scores["coverage"] = coverage(lists[:, :k], train.n_items)
        scores["mean_popularity"] = mean_popularity(lists[:, :k], popularity)
        at_k[name] = scores
        curve[name] = {str(c): ranking_metrics(lists[:, :c], relevant)["ndcg"] for c in ks}
    return at_k, curve


def evaluate(config: dict[str, Any], mode: str) -> dict[str, Any]:
    """Compute every metric for the data mode from the saved models."""
    dataset = load_dataset(mode, config)  # type: ignore[arg-type]
    ratings = dataset.ratings
    evaluation = config["evaluation"]
    result: dict[str, Any] = {
        "data": dataset.label,
        "data_mode": mode,
        "ratings": len(ratings),
        "users": int(ratings["user_id"].nunique()),
        "items": int(ratings["item_id"].nunique()),
        "k": int(evaluation["k"]),
        "relevance_threshold": float(evaluation["relevance_threshold"]),
        "test_fraction": float(config["split"]["test_fraction"]),
        "splits": {},
    }
    for split in ("time", "random"):
        path = model_path(mode, split)  # type: ignore[arg-type]
        if not path.is_file():
            raise SystemExit(f"{path.relative_to(PROJECT_ROOT)} not found: run `make train` first")
        encoder, models = load_models(path)
        train_df, test_df = make_split(ratings, split, result["test_fraction"], config["seed"])
        if not np.array_equal(encoder.user_ids, Encoder.fit(train_df).user_ids):
            raise SystemExit(f"{path.name} was trained on other data: run `make train` again")
        train, test = encoder.transform(train_df), encoder.transform(test_df)
        block: dict[str, Any] = {
            "train_ratings": len(train_df),
            "test_ratings": len(test_df),
            "cold_start": {
                "test_ratings_of_unseen_users": int((test.users < 0).sum()),
                "test_ratings_of_unseen_items": int((test.items < 0).sum()),
                "unseen_items": int(np.unique(test_df["item_id"][test.items < 0]).size),
            },
            "rating": rating_errors(models, train, test),
        }
        if split == "time":
            users, _, cold = relevant_sets(test, result["relevance_threshold"])
            block["ranking_users"] = len(users)
            block["relevant_cold_items"] = cold
            block["ranking"], block["ndcg_curve"] = ranking_report(models, train, test, config)
        result["splits"][split] = block
    return result


def fmt(value: float) -> str:
    """Four decimals, for tables."""
    return f"{value:.4f}"


def results_markdown(result: dict[str, Any]) -> str:
    """The README results section: which data, the split, and both tables."""
    time_split, random_split = result["splits"]["time"], result["splits"]["random"]
    cold = time_split["cold_start"]
    k = result["k"]
    rating_rows = []
    for split_name, block in (("time", time_split), ("random 80/20", random_split)):
        for name, err in block["rating"].items():
            rating_rows.append(
                [LABELS[name], split_name, fmt(err["train"]["rmse"]), fmt(err["test"]["rmse"]),
                 fmt(err["train"]["mae"]), fmt(err["test"]["mae"])]
            )  # fmt: skip
    ranking_rows = [
        [LABELS[name], *(fmt(s[m]) for m in ("precision", "recall", "ndcg", "map", "hit_rate")),
         f"{s['coverage']:.1%}", f"{s['mean_popularity']:.1%}"]
        for name, s in time_split["ranking"].items()
    ]  # fmt: skip
    return "\n".join(
        [
            (
                f"Data: **{result['data']}**: {result['ratings']} ratings by {result['users']} "
                f"users of {result['items']} items. Written by `make evaluate`; see "
                "`eval/metrics.json`."
            ),
            "",
            (
                f"Split: each user's last {result['test_fraction']:.0%} of ratings by time are "
                f"held out ({time_split['test_ratings']} test ratings). Cold start in the test "
                f"part: {cold['test_ratings_of_unseen_users']} ratings by users and "
                f"{cold['test_ratings_of_unseen_items']} ratings of items unseen in training "
                f"({cold['unseen_items']} item(s)), predicted from the biases or the global mean."
            ),
            "",
            "**Rating prediction** (lower is better; train vs test shows over-fitting):",
            "",
            markdown_table(
                ["model", "split", "train RMSE", "test RMSE", "train MAE", "test MAE"], rating_rows
            ),
            "",
            (
                f"**Top-{k} recommendation** on the time split: {time_split['ranking_users']} "
                f"users with a held-out rating >= {result['relevance_threshold']:g}; candidates "
                "are the items a user has not rated in training:"
            ),
            "",
            markdown_table(
                [
                    "model",
                    f"precision@{k}",
                    f"recall@{k}",
                    f"NDCG@{k}",
                    f"MAP@{k}",
                    f"hit rate@{k}",
                    "coverage",
                    "mean popularity",
                ],
                ranking_rows,
            ),
            "",
            (
                "Coverage: share of the catalogue that appears in any list. Mean popularity: "
                "average share of training users who rated a recommended item (popularity bias)."
            ),
            "",
            "![RMSE, train vs test](eval/figures/rating_error.png)",
            "![NDCG@k](eval/figures/ndcg_at_k.png)",
        ]
    )


def card_markdown(result: dict[str, Any]) -> str:
    """The model card's metrics: the headline numbers of each task."""
    time_split = result["splits"]["time"]
    random_split = result["splits"]["random"]
    k = result["k"]
    rows = [
        [LABELS[name], fmt(time_split["rating"][name]["test"]["rmse"]),
         fmt(random_split["rating"][name]["test"]["rmse"])]
        for name in time_split["rating"]
    ]  # fmt: skip
    ranking = time_split["ranking"]
    ranking_rows = [
        [LABELS[name], fmt(s["ndcg"]), fmt(s["recall"]), f"{s['coverage']:.1%}"]
        for name, s in ranking.items()
    ]
    return "\n".join(
        [
            f"Numbers from **{result['data']}** ({result['ratings']} ratings), by `make evaluate`.",
            "",
            markdown_table(["rating model", "test RMSE (time split)", "test RMSE (random)"], rows),
            "",
            markdown_table(["top-N model", f"NDCG@{k}", f"recall@{k}", "coverage"], ranking_rows),
        ]
    )


def plot(result: dict[str, Any]) -> None:
    """RMSE train vs test per model and split, and NDCG@k per model."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display needed
    import matplotlib.pyplot as plt

    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, split in zip(axes, ("time", "random"), strict=True):
        errors = result["splits"][split]["rating"]
        frame = pd.DataFrame(
            {part: [errors[m][part]["rmse"] for m in errors] for part in ("train", "test")},
            index=[LABELS[m] for m in errors],
        )
        frame.plot.bar(ax=ax, rot=15, title=f"RMSE, {split} split")
        ax.set_ylabel("RMSE")
    fig.suptitle(f"Data: {result['data']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(FIGURES_DIR / "rating_error.png", dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for name, curve in result["splits"]["time"]["ndcg_curve"].items():
        ks = [int(c) for c in curve]
        ax.plot(ks, list(curve.values()), marker="o", label=LABELS[name])
        ax.set_xticks(ks)
    ax.set(xlabel="k", ylabel="NDCG@k", title=f"NDCG@k, time split\n{result['data']}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize=8)
    fig.tight_layout()
    fig.savefig(FIGURES_DIR / "ndcg_at_k.png", dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    """Command line: evaluate DATA=sample|full and write the reports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["sample", "full"], help="default: $DATA or sample")
    args = parser.parse_args(argv)
    config = load_config()
    result = evaluate(config, data_mode(args.data))
    EVAL_DIR.mkdir(parents=True, exist_ok=True)
    (EVAL_DIR / "metrics.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    plot(result)
    replace_between_markers(PROJECT_ROOT / "README.md", "results", results_markdown(result))
    replace_between_markers(PROJECT_ROOT / "MODEL_CARD.md", "metrics", card_markdown(result))
    time_split = result["splits"]["time"]
    k = result["k"]
    print(f"data: {result['data']}")
    for name, err in time_split["rating"].items():
        print(f"  {LABELS[name]:<28} test RMSE {err['test']['rmse']:.4f} (time split)")
    for name, scores in time_split["ranking"].items():
        print(f"  {LABELS[name]:<28} NDCG@{k} {scores['ndcg']:.4f}")
    print("wrote eval/metrics.json, eval/figures/, README.md and MODEL_CARD.md")


if __name__ == "__main__":
    main()
