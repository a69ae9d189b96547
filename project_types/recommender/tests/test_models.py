"""Models: valid top-N lists, cold-start fallbacks, and better than trivial on the fixture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from {{ package_name }}.metrics import ranking_metrics, rmse
from {{ package_name }}.models import (
    EASE,
    MODELS,
    Bias,
    MatrixFactorization,
    load_models,
    save_models,
    top_n,
)
from {{ package_name }}.split import Encoder


def relevant_users(test, threshold: float = 4.0) -> tuple[np.ndarray, list[set[int]]]:
    liked = (test.ratings >= threshold) & (test.items >= 0)
    by_user: dict[int, set[int]] = {}
    for user, item in zip(test.users[liked], test.items[liked], strict=True):
        by_user.setdefault(int(user), set()).add(int(item))
    users = np.array(sorted(by_user))
    return users, [by_user[u] for u in users]


@pytest.mark.parametrize("name", list(MODELS))
def test_top_n_lists_are_k_unique_unseen_items(name: str, split: tuple, fitted: dict) -> None:
    _, _, train, _ = split
    seen = train.matrix(binary=True)
    users = np.arange(train.n_users)
    lists = top_n(fitted[name], seen, users, 10)
    assert lists.shape == (train.n_users, 10)
    for user, row in zip(users, lists, strict=True):
        assert len(set(row)) == 10
        assert not set(row) & set(seen[user].indices)  # candidates exclude already-rated items


def test_rating_models_beat_the_global_mean_and_mf_beats_bias(split: tuple, fitted: dict) -> None:
    _, _, train, test = split
    mean_rmse = rmse(test.ratings, np.full(len(test.ratings), train.ratings.mean()))
    bias_rmse = rmse(test.ratings, fitted["bias"].predict(test.users, test.items))
    mf_rmse = rmse(test.ratings, fitted["mf"].predict(test.users, test.items))
    assert bias_rmse < mean_rmse
    assert mf_rmse < bias_rmse
    train_rmse = rmse(train.ratings, fitted["mf"].predict(train.users, train.items))
    assert train_rmse < mf_rmse  # it fits the training part better than unseen ratings


def test_ranking_model_beats_popularity_on_the_fixture(split: tuple, fitted: dict) -> None:
    _, _, train, test = split
    users, relevant = relevant_users(test)
    seen = train.matrix(binary=True)
    ndcg = {
        name: ranking_metrics(top_n(fitted[name], seen, users, 10), relevant)["ndcg"]
        for name in ("popularity", "ease")
    }
    assert ndcg["ease"] > ndcg["popularity"] > 0


def test_cold_start_falls_back_to_biases_and_global_mean(fitted: dict) -> None:
    bias: Bias = fitted["bias"]
    mf: MatrixFactorization = fitted["mf"]
    unknown, known = np.array([-1]), np.array([0])
    assert bias.predict(unknown, unknown)[0] == pytest.approx(bias.mu)
    assert bias.predict(unknown, known)[0] == pytest.approx(bias.mu + bias.item_bias[0])
    assert mf.predict(known, unknown)[0] == pytest.approx(np.clip(mf.mu + mf.user_bias[0], 1, 5))


def test_fitting_is_deterministic_and_ease_has_no_self_weight(split: tuple, config: dict) -> None:
    train = split[2]
    first = MatrixFactorization(factors=5, iterations=3, seed=1).fit(train)
    second = MatrixFactorization(factors=5, iterations=3, seed=1).fit(train)
    np.testing.assert_array_equal(first.item_factors, second.item_factors)
    assert np.all(np.diag(EASE(reg=10.0).fit(train).weights) == 0)


def test_save_and_load_round_trip(split: tuple, fitted: dict, tmp_path: Path) -> None:
    train_df, _, train, _ = split
    path = tmp_path / "models.npz"
    save_models(path, Encoder.fit(train_df), fitted)
    encoder, loaded = load_models(path)
    np.testing.assert_array_equal(encoder.user_ids, Encoder.fit(train_df).user_ids)
    users = np.arange(train.n_users)
    for name, model in fitted.items():
        np.testing.assert_allclose(loaded[name].scores(users), model.scores(users))
