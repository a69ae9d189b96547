"""Metric functions against examples computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from {{ package_name }}.metrics import coverage, mae, mean_popularity, ranking_metrics, rmse


def test_rmse_and_mae() -> None:
    assert rmse(np.array([1.0, 3.0]), np.array([2.0, 5.0])) == pytest.approx(math.sqrt(2.5))
    assert mae(np.array([1.0, 3.0]), np.array([2.0, 5.0])) == pytest.approx(1.5)


def test_ranking_metrics_by_hand() -> None:
    # User A: list 1 2 3 4, relevant {2, 4, 9}: hits at ranks 2 and 4.
    #   precision 2/4, recall 2/3, DCG 1/log2(3) + 1/log2(5), IDCG 1 + 1/log2(3) + 1/log2(4),
    #   AP@4 = (1/2 + 2/4) / min(3, 4) = 1/3.
    # User B: list 5 6 7 8, relevant {5}: a hit at rank 1: all metrics 1, precision 1/4.
    recommended = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    relevant = [{2, 4, 9}, {5}]
    ndcg_a = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3) + 0.5)
    result = ranking_metrics(recommended, relevant)
    assert result["precision"] == pytest.approx((0.5 + 0.25) / 2)
    assert result["recall"] == pytest.approx((2 / 3 + 1) / 2)
    assert result["ndcg"] == pytest.approx((ndcg_a + 1) / 2)
    assert result["map"] == pytest.approx((1 / 3 + 1) / 2)
    assert result["hit_rate"] == 1.0


def test_ranking_metrics_at_smaller_k_and_misses() -> None:
    result = ranking_metrics(np.array([[3, 1, 2], [4, 5, 6]]), [{1}, {9}], k=2)
    assert result["precision"] == pytest.approx(0.25)  # one hit in 2 lists of 2
    assert result["ndcg"] == pytest.approx((1 / math.log2(3)) / 2)
    assert result["map"] == pytest.approx(0.25)  # AP: (1/2) / 1 for A, 0 for B
    assert result["hit_rate"] == 0.5


def test_coverage_and_popularity_bias() -> None:
    lists = np.array([[0, 1], [1, 2]])
    assert coverage(lists, 10) == pytest.approx(0.3)
    assert mean_popularity(lists, np.array([0.5, 0.1, 0.3])) == pytest.approx(0.25)


def test_users_without_relevant_items_are_rejected() -> None:
    with pytest.raises(ValueError):
        ranking_metrics(np.array([[1, 2]]), [set()])
