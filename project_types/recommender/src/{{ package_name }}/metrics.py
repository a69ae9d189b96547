"""Rating-error and top-N metrics, as the recommender-systems literature defines them."""

from __future__ import annotations

import numpy as np

from .split import Interactions


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Root mean squared error."""
    return float(np.sqrt(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)))


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


def hits_matrix(recommended: np.ndarray, relevant: list[set[int]]) -> np.ndarray:
    """Boolean (users x k): is the item at each rank one of the user's relevant items?"""
    return np.array(
        [[item in rel for item in row] for row, rel in zip(recommended, relevant, strict=True)],
        dtype=bool,
    ).reshape(recommended.shape)


def ranking_metrics(
    recommended: np.ndarray, relevant: list[set[int]], k: int | None = None
) -> dict[str, float]:
    """Mean precision@k, recall@k, NDCG@k, MAP@k and hit rate over users.

    ``recommended`` holds each user's ranked list (users x k); ``relevant`` each user's set of
    relevant held-out items (users with none should be left out by the caller).

    - precision@k = hits / k; recall@k = hits / |relevant|; hit rate = share of users with a hit;
    - NDCG@k = sum over hits of 1 / log2(rank + 1), divided by the same sum for an ideal list;
    - MAP@k = mean over users of AP@k = sum over hit ranks r of precision@r / min(|relevant|, k).
    """
    recommended = np.asarray(recommended)[:, :k] if k else np.asarray(recommended)
    k = recommended.shape[1]
    hits = hits_matrix(recommended, relevant).astype(float)
    n_relevant = np.array([len(rel) for rel in relevant], dtype=float)
    if (n_relevant == 0).any():
        raise ValueError("every user must have at least one relevant item")
    n_hits = hits.sum(axis=1)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discount)[np.minimum(n_relevant, k).astype(int) - 1]
    precision_at = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    average_precision = (precision_at * hits).sum(axis=1) / np.minimum(n_relevant, k)
    return {
        "precision": float(np.mean(n_hits / k)),
        "recall": float(np.mean(n_hits / n_relevant)),
        "ndcg": float(np.mean((hits @ discount) / ideal)),
        "map": float(np.mean(average_precision)),
        "hit_rate": float(np.mean(n_hits > 0)),
    }


def coverage(recommended: np.ndarray, n_items: int) -> float:
    """Catalogue coverage: share of the training catalogue that appears in any list."""
    return float(np.unique(np.asarray(recommended)).size / n_items)


def mean_popularity(recommended: np.ndarray, item_popularity: np.ndarray) -> float:
    """Popularity bias of the lists: mean share of training users who rated a listed item."""
    return float(np.mean(item_popularity[np.asarray(recommended)]))


def relevant_sets(
    test: Interactions, threshold: float, item_ids: np.ndarray
) -> tuple[np.ndarray, list[set[int]], int]:
    """Users with relevant held-out items, their sets, and how many relevant items are cold.

    ``item_ids`` are the test part's raw item ids. An item unseen in training can never be
    recommended, but it still counts in the user's set (recall's denominator): each distinct cold
    item gets its own negative index, so two cold items count twice, never once.
    """
    liked = (test.ratings >= threshold) & (test.users >= 0)
    items = test.items.copy()
    cold = items < 0
    if cold.any():
        _, codes = np.unique(np.asarray(item_ids, dtype=str)[cold], return_inverse=True)
        items[cold] = -1 - codes
    by_user: dict[int, set[int]] = {}
    for user, item in zip(test.users[liked], items[liked], strict=True):
        by_user.setdefault(int(user), set()).add(int(item))
    users = np.array(sorted(by_user), dtype=int)
    return users, [by_user[u] for u in users], int((test.items[liked] < 0).sum())
