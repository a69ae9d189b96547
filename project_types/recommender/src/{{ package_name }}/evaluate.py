"""Evaluate the trained models on the held-out parts; write eval/ and the README and model card.

Rating error (RMSE, MAE) on train and test for the global mean, the bias model, MF, item kNN
and their blend, on the per-user split and on the random 80/20 split; top-N metrics on the
per-user split for popularity, the bias ranking, MF ranked by predicted rating, and EASE.
``eval/metrics.json`` is the common envelope: primary metric NDCG@k on the per-user split,
popularity the baseline, the chosen model the one ``make train`` picked on validation; the
random split, cold start, the NDCG@k curve and the choice are under ``extras``. The README and
model card say which data the numbers come from, and plainly when the baseline won, or when the
bias model predicted ratings better than MF or the blend.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import pandas as pd

from .config import Settings, load_config
from .data import Dataset, load_dataset, ratings_file
from .envelope import ModelResult, PrimaryMetric, SplitInfo, build_envelope, write_envelope
from .errors import NotTrainedError
from .figures import pyplot, save
from .metrics import coverage, mae, mean_popularity, ranking_metrics, relevant_sets, rmse
from .models import Model, load_models, predictions, top_n
from .paths import shown
from .report import fmt, markdown_table, write_reports
from .settings import DataMode, data_mode
from .split import Encoder, Interactions, make_split
from .train import RANKED, model_path

LABELS = {
    "global_mean": "global mean",
    "popularity": "popularity (baseline)",
    "bias": "user + item biases",
    "mf": "matrix factorisation (ALS)",
    "knn": "item kNN",
    "blend": "blend (bias + MF + kNN)",
    "ease": "EASE",
}
BASELINE = "popularity"
PACKAGES = ("numpy", "pandas", "scipy", "matplotlib", "pooch", "pydantic")


def rating_predictions(
    models: dict[str, Model], train: Interactions, test: Interactions
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each rating model's predictions of the train and test ratings, the global mean's first.

    Both parts are predicted in one pass, each model once (kNN's neighbour terms are per user).
    """
    mean = float(train.ratings.mean())
    result = {"global_mean": (np.full(len(train.ratings), mean), np.full(len(test.ratings), mean))}
    users = np.concatenate([train.users, test.users])
    items = np.concatenate([train.items, test.items])
    for name, predicted in predictions(models, users, items).items():
        result[name] = (predicted[: len(train.ratings)], predicted[len(train.ratings) :])
    return result


def rating_errors(
    predicted: dict[str, tuple[np.ndarray, np.ndarray]], train: Interactions, test: Interactions
) -> dict:
    """RMSE and MAE on train and test of each model's :func:`rating_predictions`."""
    return {
        name: {
            part: {"rmse": rmse(d.ratings, values), "mae": mae(d.ratings, values)}
            for part, d, values in (("train", train, pair[0]), ("test", test, pair[1]))
        }
        for name, pair in predicted.items()
    }


def ranking_report(
    models: dict[str, Model],
    train: Interactions,
    test: Interactions,
    settings: Settings,
    test_items: np.ndarray,
) -> tuple[dict, dict]:
    """Top-N metrics at k for every ranked model, and NDCG at each k of the curve."""
    k = settings.evaluation.k
    ks = sorted(set(settings.evaluation.ks) | {k})
    threshold = settings.evaluation.relevance_threshold
    users, relevant, _ = relevant_sets(test, threshold, test_items)
    seen = train.matrix(binary=True)
    popularity = np.bincount(train.items, minlength=train.n_items) / train.n_users
    at_k, curve = {}, {}
    for name in (n for n in RANKED if n in models):
        lists = top_n(models[name], seen, users, max(ks))
        scores = ranking_metrics(lists[:, :k], relevant)
        scores["coverage"] = coverage(lists[:, :k], train.n_items)
        scores["mean_popularity"] = mean_popularity(lists[:, :k], popularity)
        at_k[name] = scores
        curve[name] = {str(c): ranking_metrics(lists[:, :c], relevant)["ndcg"] for c in ks}
    return at_k, curve


def evaluate(dataset: Dataset, settings: Settings, mode: DataMode) -> dict[str, Any]:
    """Compute every metric for the data mode from the saved models."""
    ratings = dataset.ratings
    result: dict[str, Any] = {
        "data": dataset.label,
        "timed": dataset.has_time,
        "k": settings.evaluation.k,
        "relevance_threshold": settings.evaluation.relevance_threshold,
        "test_fraction": settings.split.test_fraction,
        "splits": {},
    }
    for split in ("time", "random"):
        path = model_path(mode, split)
        if not path.is_file():
            raise NotTrainedError(f"{shown(path)} not found: run `make train` (DATA={mode}) first")
        encoder, models, selection = load_models(path)
        train_df, test_df = make_split(ratings, split, result["test_fraction"], settings.seed)
        if not np.array_equal(encoder.user_ids, Encoder.fit(train_df).user_ids):
            raise NotTrainedError(f"{path.name} was trained on other data: run `make train` again")
        train, test = encoder.transform(train_df), encoder.transform(test_df)
        predicted = rating_predictions(models, train, test)
        block: dict[str, Any] = {
            "train_ratings": len(train_df),
            "test_ratings": len(test_df),
            "cold_start": {
                "test_ratings_of_unseen_users": int((test.users < 0).sum()),
                "test_ratings_of_unseen_items": int((test.items < 0).sum()),
                "unseen_items": int(np.unique(test_df["item_id"][test.items < 0]).size),
            },
            "rating": rating_errors(predicted, train, test),
            "selection": selection,
        }
        if split == "time":
            test_items = test_df["item_id"].to_numpy(dtype=str)
            users, _, cold = relevant_sets(test, result["relevance_threshold"], test_items)
            block["ranking_users"] = len(users)
            block["relevant_cold_items"] = cold
            block["ranking"], block["ndcg_curve"] = ranking_report(
                models, train, test, settings, test_items
            )
            # What the saved models were trained with (the config may have changed since).
            block["params"] = {name: model.params() for name, model in models.items()}
            attributes = user_attributes(dataset, settings)
            if attributes is not None:
                errors = (predicted["blend"][1] - test.ratings) ** 2
                user_ids = test_df["user_id"].to_numpy()
                block["group_rmse"] = group_errors(user_ids, errors, attributes)
        result["splits"][split] = block
    return result


def time_protocol(test_fraction: float, timed: bool = True) -> str:
    """The main split in words."""
    if timed:
        return (
            f"per-user time-ordered hold-out: each user's last {test_fraction:.0%} of ratings "
            "(by timestamp) is the test part"
        )
    return (
        f"per-user random hold-out (the data has no timestamps): a random {test_fraction:.0%} of "
        "each user's ratings (seeded) is the test part"
    )


MOVIELENS_NOTE = (
    "GroupLens Research, University of Minnesota; collected 1997-1998 on movielens.umn.edu. Its "
    "license allows research use but **forbids redistribution**, so it is never committed here. "
    "Cite: F. Maxwell Harper and Joseph A. Konstan. 2015. *The MovieLens Datasets: History and "
    "Context.* ACM TiiS 5(4), 19:1-19:19. <https://doi.org/10.1145/2827872>"
)
SAMPLE_NOTE = (
    "a synthetic fixture in MovieLens 100K's `u.data`/`u.item` formats, written for the tests and "
    "the CI smoke run. It is *not* MovieLens and not real behaviour; numbers computed on it only "
    "show that the pipeline works"
)


MOVIELENS_LIMITS = (
    "- 1997-1998 data from one website: old, small, US-centred; its users are self-selected, "
    "mostly male and young, and models may serve other groups worse (`u.user` has age, gender "
    "and occupation for per-group checks)."
)
OWN_DATA_NOTE = (
    "Who rated, when and why shapes what the models learn: describe the data's origin, "
    "population and license in `data/README.md`."
)


def data_markdown(dataset: Dataset, settings: Settings) -> str:
    """The README's data section: the data the numbers come from, described from the data."""
    info, ratings = dataset.info, dataset.ratings
    low, high = dataset.scale
    times = (
        "with a time for every rating"
        if dataset.has_time
        else "**without timestamps** (so the split is a per-user random hold-out)"
    )
    facts = (
        f"{info.description}; ratings {low:g}-{high:g} (from {dataset.scale_from}), mean "
        f"{ratings['rating'].mean():.2f}; {times}"
    )
    if info.fixture:
        configured = settings.data.name or settings.data.source
        return (
            f"- **Data used: the shipped sample**, {SAMPLE_NOTE}. {facts}. See `data/README.md`.\n"
            f"- **Full data** (`make data`, then `DATA=full`): `{configured}`, as set in "
            "`configs/default.yaml`."
        )
    if dataset.is_movielens_100k:
        return (
            f"- **Data used: MovieLens 100K** ({MOVIELENS_NOTE}). Read from `{info.source}`: "
            f"{facts}.\n- For reference on this data: scikit-surprise's SVD has RMSE 0.934 in "
            "5-fold cross-validation (its documented benchmark)."
        )
    return (
        f"- **Data used: {info.name}**, from `{info.source}`: {facts}.\n"
        "- Its license and citation are those of its publisher: record them in "
        "`data/README.md` before publishing these results."
    )


def card_data_markdown(dataset: Dataset, test_fraction: float) -> str:
    """The model card's data section, and the limitations that come with the data."""
    lines = [
        f"{dataset.label}. {time_protocol(test_fraction, dataset.has_time).capitalize()}.",
    ]
    if dataset.info.fixture:
        lines += ["", f"This is {SAMPLE_NOTE}."]
    elif dataset.is_movielens_100k:
        lines += ["", f"MovieLens 100K: {MOVIELENS_NOTE}.", "", MOVIELENS_LIMITS]
    else:
        lines += ["", OWN_DATA_NOTE]
    return "\n".join(lines)


def envelope(result: dict[str, Any], dataset: Dataset) -> dict[str, Any]:
    """The common eval/metrics.json envelope of a :func:`evaluate` result."""
    time_split, random_split = result["splits"]["time"], result["splits"]["random"]
    k = result["k"]
    models: dict[str, ModelResult] = {}
    for name in ("global_mean", *time_split["params"]):
        errors = time_split["rating"].get(name, {"train": {}, "test": {}})
        ranking = {f"{m}@{k}": v for m, v in time_split["ranking"].get(name, {}).items()}
        params = time_split["params"].get(name, {})
        models[name] = ModelResult(
            label=LABELS[name],
            params=params,
            train=errors["train"],
            test={**errors["test"], **ranking},
        )
    extras = {
        "k": k,
        "relevance_threshold": result["relevance_threshold"],
        "ranking_users": time_split["ranking_users"],
        "relevant_cold_items": time_split["relevant_cold_items"],
        "cold_start": time_split["cold_start"],
        "ndcg_curve": time_split["ndcg_curve"],
        "selection": time_split["selection"],
        "findings": findings(result),
        "random_split": {
            "protocol": f"random {1 - result['test_fraction']:.0%}/{result['test_fraction']:.0%} "
            "hold-out over all ratings (rating error only)",
            "train_size": random_split["train_ratings"],
            "test_size": random_split["test_ratings"],
            "cold_start": random_split["cold_start"],
            "rating": random_split["rating"],
        },
    }
    return build_envelope(
        data=dataset.info,
        split=SplitInfo(
            protocol=time_protocol(result["test_fraction"], result["timed"]),
            train_size=time_split["train_ratings"],
            test_size=time_split["test_ratings"],
        ),
        primary=PrimaryMetric(f"ndcg@{k}", "higher"),
        baseline=BASELINE,
        chosen=chosen_model(result),
        models=models,
        extras=extras,
        packages=PACKAGES,
    )


def main_split(result: dict[str, Any]) -> str:
    """The per-user split's short name: ``time``, or ``per-user random`` without timestamps."""
    return "time" if result["timed"] else "per-user random"


def chosen_model(result: dict[str, Any]) -> str:
    """The top-N model put forward: chosen by validation NDCG inside the training part."""
    return str(result["splits"]["time"]["selection"].get("chosen", "ease"))


def findings(result: dict[str, Any]) -> list[str]:
    """What the choices were made on and, plainly, where the popularity baseline ranked as well
    as the model put forward, or the bias model predicted ratings better than MF or the blend."""
    time_split = result["splits"]["time"]
    selection, k = time_split["selection"], result["k"]
    chosen = chosen_model(result)
    lines = []
    scores = selection.get("validation_ndcg", {})
    if scores:
        listed = ", ".join(f"{LABELS[n]} {v:.4f}" for n, v in sorted(scores.items()))
        lines.append(
            f"Top-N model put forward: {LABELS[chosen]}, the best by NDCG@{k} on a validation "
            f"hold-out inside the training part ({listed}); the test part played no role."
        )
    iterations = selection.get("mf_iterations")
    if iterations is not None:
        lines.append(
            f"MF ran {iterations} ALS iterations, the count with the lowest validation RMSE "
            "(0 would be the bias model itself)."
        )
    weights = selection.get("blend_weights")
    if weights is not None:
        lines.append(
            "Rating model put forward: the blend, {:.3f} + {:.3f} x bias + {:.3f} x MF's factor "
            "term + {:.3f} x kNN's neighbour term, weighted by least squares on the same "
            "validation hold-out.".format(*weights)
        )
    ranking = time_split["ranking"]
    if ranking[BASELINE]["ndcg"] >= ranking[chosen]["ndcg"]:
        lines.append(
            f"**On this data the popularity baseline ranks as well as or better than "
            f"{LABELS[chosen]} on the test part** (NDCG@{k} {ranking[BASELINE]['ndcg']:.4f} vs "
            f"{ranking[chosen]['ndcg']:.4f})."
        )
    for name, block in ((main_split(result), time_split), ("random", result["splits"]["random"])):
        errors = block["rating"]
        for model in ("mf", "blend"):
            if model in errors and errors["bias"]["test"]["rmse"] < errors[model]["test"]["rmse"]:
                lines.append(
                    f"**On the {name} split the bias model ({LABELS['bias']}) predicts ratings "
                    f"better than {LABELS[model]} on the test part** (RMSE "
                    f"{errors['bias']['test']['rmse']:.4f} vs {errors[model]['test']['rmse']:.4f})."
                )
    return lines


def results_markdown(result: dict[str, Any]) -> str:
    """The README results section: which data, the split, and both tables."""
    time_split, random_split = result["splits"]["time"], result["splits"]["random"]
    cold = time_split["cold_start"]
    k = result["k"]
    rating_rows = []
    for split_name, block in ((main_split(result), time_split), ("random 80/20", random_split)):
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
            f"Data: **{result['data']}**. Written by `make evaluate`; see `eval/metrics.json`.",
            "",
            (
                f"Split: {time_protocol(result['test_fraction'], result['timed'])} "
                f"({time_split['test_ratings']} test ratings). Cold start in the test "
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
                f"**Top-{k} recommendation** on the {main_split(result)} split: "
                f"{time_split['ranking_users']} "
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
            *(f"- {line}" for line in findings(result)),
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
            f"Numbers from **{result['data']}**, by `make evaluate`.",
            "",
            markdown_table(
                ["rating model", f"test RMSE ({main_split(result)} split)", "test RMSE (random)"],
                rows,
            ),
            "",
            markdown_table(["top-N model", f"NDCG@{k}", f"recall@{k}", "coverage"], ranking_rows),
        ]
    )


AGE_BANDS = (
    (0, "under 18"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-55"),
    (56, "56+"),
)


def user_attributes(dataset: Dataset, settings: Settings) -> pd.DataFrame | None:
    """MovieLens 100K's ``u.user`` (age, gender) beside its ratings, when the data is that."""
    if not dataset.is_movielens_100k:
        return None
    path = ratings_file(settings.data).with_name("u.user")
    if not path.is_file():
        return None
    users = pd.read_csv(
        path, sep="|", header=None, names=["user_id", "age", "gender", "occupation", "zip"],
        dtype={"user_id": str}, encoding="latin-1",
    )  # fmt: skip
    bands = [low for low, _ in AGE_BANDS]
    names = dict(AGE_BANDS)
    users["age band"] = [names[max(b for b in bands if b <= age)] for age in users["age"]]
    return users.set_index("user_id")


def group_errors(
    user_ids: np.ndarray, squared_errors: np.ndarray, users: pd.DataFrame
) -> list[list[str]]:
    """Test RMSE per gender and age band: one row per group (users, ratings, RMSE)."""
    frame = pd.DataFrame({"user_id": user_ids, "error": squared_errors}).join(users, on="user_id")
    rows = []
    for column in ("gender", "age band"):
        order = (
            [n for _, n in AGE_BANDS] if column == "age band" else sorted(frame[column].unique())
        )
        for group in order:
            part = frame[frame[column] == group]
            if len(part):
                rows.append(
                    [column, str(group), f"{part['user_id'].nunique():,}", f"{len(part):,}",
                     fmt(float(np.sqrt(part["error"].mean())))]
                )  # fmt: skip
    return rows


def fairness_markdown(result: dict[str, Any]) -> str:
    """Popularity bias and catalogue coverage; per-group errors where user attributes exist."""
    time_split, k = result["splits"]["time"], result["k"]
    chosen = chosen_model(result)
    ranking = time_split["ranking"]
    lines = [
        (
            f"Top-{k} lists of {LABELS[chosen]} cover {ranking[chosen]['coverage']:.1%} of the "
            f"catalogue (popularity baseline: {ranking[BASELINE]['coverage']:.1%}); a recommended "
            f"item was rated by {ranking[chosen]['mean_popularity']:.1%} of training users on "
            f"average (popularity baseline: {ranking[BASELINE]['mean_popularity']:.1%}). The "
            "higher that share and the lower the coverage, the more the lists concentrate "
            f"attention on already popular titles (data: {result['data']})."
        ),
        "",
    ]
    groups = time_split.get("group_rmse")
    if groups is None:
        lines.append(
            "Per-group metrics **could not be assessed**: this data has no user attributes "
            "(MovieLens 100K's `u.user`, with age and gender, is read when that is the data). "
            "Sensitive attributes are never used as features."
        )
    else:
        lines += [
            (
                f"Test RMSE of the rating model ({LABELS['blend']}) per group of users "
                "(MovieLens 100K's `u.user`; attributes are used for this check only, never as "
                "features):"
            ),
            "",
            markdown_table(["attribute", "group", "users", "test ratings", "RMSE"], groups),
        ]
    return "\n".join(lines)


def plot(result: dict[str, Any]) -> None:
    """RMSE train vs test per model and split, and NDCG@k per model."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    names = {"time": main_split(result), "random": "random"}
    for ax, split in zip(axes, ("time", "random"), strict=True):
        errors = result["splits"][split]["rating"]
        frame = pd.DataFrame(
            {part: [errors[m][part]["rmse"] for m in errors] for part in ("train", "test")},
            index=[LABELS[m] for m in errors],
        )
        frame.plot.bar(ax=ax, rot=15, title=f"RMSE, {names[split]} split")
        ax.set_ylabel("RMSE")
    save(fig, "rating_error.png", result["data"])

    fig, ax = plt.subplots(figsize=(6, 4.8))
    for name, curve in result["splits"]["time"]["ndcg_curve"].items():
        ks = [int(c) for c in curve]
        ax.plot(ks, list(curve.values()), marker="o", label=LABELS[name])
        ax.set_xticks(ks)
    ax.set(xlabel="k", ylabel="NDCG@k", title=f"NDCG@k, {main_split(result)} split")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize=8)
    save(fig, "ndcg_at_k.png", result["data"])


def run(args: argparse.Namespace) -> int:
    """Evaluate DATA=sample|full and write eval/metrics.json, the figures and the reports."""
    settings = load_config()
    mode = data_mode(args.data)
    dataset = load_dataset(mode, settings)
    result = evaluate(dataset, settings, mode)
    path = write_envelope(envelope(result, dataset))
    plot(result)
    write_reports(
        readme={"data": data_markdown(dataset, settings), "results": results_markdown(result)},
        model_card={
            "data": card_data_markdown(dataset, settings.split.test_fraction),
            "metrics": card_markdown(result),
            "fairness": fairness_markdown(result),
        },
    )
    time_split = result["splits"]["time"]
    k = result["k"]
    print(f"data: {result['data']}")
    for name, err in time_split["rating"].items():
        print(
            f"  {LABELS[name]:<28} test RMSE {err['test']['rmse']:.4f} ({main_split(result)} split)"
        )
    for name, scores in time_split["ranking"].items():
        print(f"  {LABELS[name]:<28} NDCG@{k} {scores['ndcg']:.4f}")
    print(f"wrote {shown(path)}, eval/figures/, README.md and MODEL_CARD.md")
    return 0
