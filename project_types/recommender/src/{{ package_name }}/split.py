"""Hold-out splits of a ratings table, and the id <-> index encoding fitted on a training part."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp


def time_split(
    ratings: pd.DataFrame, test_fraction: float, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-user hold-out: the last ``test_fraction`` of each user's ratings by time.

    Each user's ratings are ordered by timestamp (ties by item id); the last
    ``floor(test_fraction * n)`` go to the test part, so every test rating of a user is at least
    as recent as all of that user's training ratings, and a user with too few ratings to spare
    one stays entirely in training. Without a ``timestamp`` column each user's ratings are put in
    a random order drawn with ``seed`` instead: a per-user random hold-out.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    if "timestamp" in ratings.columns:
        ordered = ratings.sort_values(["user_id", "timestamp", "item_id"], kind="stable")
    else:
        shuffled = ratings.assign(_order=np.random.default_rng(seed).permutation(len(ratings)))
        ordered = shuffled.sort_values(["user_id", "_order"], kind="stable").drop(columns="_order")
    position = ordered.groupby("user_id").cumcount()
    size = ordered.groupby("user_id")["item_id"].transform("size")
    n_test = np.floor(size * test_fraction).astype(int)
    is_test = position >= size - n_test
    return ordered[~is_test].reset_index(drop=True), ordered[is_test].reset_index(drop=True)


def has_time(ratings: pd.DataFrame) -> bool:
    """Do the ratings have times (else the per-user split is random)?"""
    return "timestamp" in ratings.columns


def random_split(
    ratings: pd.DataFrame, test_fraction: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random hold-out over all ratings (the 80/20 protocol of most rating-error papers)."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    order = np.random.default_rng(seed).permutation(len(ratings))
    n_test = round(len(ratings) * test_fraction)
    test, train = ratings.iloc[order[:n_test]], ratings.iloc[order[n_test:]]
    return train.reset_index(drop=True), test.reset_index(drop=True)


def make_split(
    ratings: pd.DataFrame, method: str, test_fraction: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split by ``method``: ``time`` (per-user, time-ordered) or ``random``."""
    if method == "time":
        return time_split(ratings, test_fraction, seed)
    if method == "random":
        return random_split(ratings, test_fraction, seed)
    raise ValueError(f"split method must be 'time' or 'random', got {method!r}")


@dataclass(frozen=True)
class Interactions:
    """Ratings as integer user and item indices; index -1 marks an id unseen in training."""

    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    n_users: int
    n_items: int

    def matrix(self, binary: bool = False) -> sp.csr_matrix:
        """The user x item matrix of known pairs (ratings, or 1 for each rated pair)."""
        keep = (self.users >= 0) & (self.items >= 0)
        values = np.ones(keep.sum()) if binary else self.ratings[keep].astype(float)
        shape = (self.n_users, self.n_items)
        return sp.csr_matrix((values, (self.users[keep], self.items[keep])), shape=shape)


@dataclass(frozen=True)
class Encoder:
    """Maps raw user and item ids to the indices of the training part."""

    user_ids: np.ndarray
    item_ids: np.ndarray

    @classmethod
    def fit(cls, train: pd.DataFrame) -> Encoder:
        """Collect the (sorted) user and item ids of a training table."""
        users = np.unique(train["user_id"].to_numpy(dtype=str))
        return cls(users, np.unique(train["item_id"].to_numpy(dtype=str)))

    @staticmethod
    def _lookup(known: np.ndarray, ids: np.ndarray) -> np.ndarray:
        position = np.searchsorted(known, ids).clip(0, max(len(known) - 1, 0))
        found = known[position] == ids if len(known) else np.zeros(len(ids), bool)
        return np.where(found, position, -1)

    def user_index(self, ids: np.ndarray) -> np.ndarray:
        """Indices of user ids; -1 for users not in training (cold start)."""
        return self._lookup(self.user_ids, np.asarray(ids, dtype=str))

    def item_index(self, ids: np.ndarray) -> np.ndarray:
        """Indices of item ids; -1 for items not in training (cold start)."""
        return self._lookup(self.item_ids, np.asarray(ids, dtype=str))

    def transform(self, df: pd.DataFrame) -> Interactions:
        """Encode a ratings table with this training part's indices."""
        return Interactions(
            users=self.user_index(df["user_id"].to_numpy()),
            items=self.item_index(df["item_id"].to_numpy()),
            ratings=df["rating"].to_numpy(dtype=float),
            n_users=len(self.user_ids),
            n_items=len(self.item_ids),
        )
