"""The splits: no leakage, time order respected, cold start encoded explicitly."""

from __future__ import annotations

import numpy as np
import pandas as pd

from {{ package_name }}.split import Encoder, random_split, time_split


def test_time_split_holds_out_each_users_latest_ratings(ratings: pd.DataFrame) -> None:
    train, test = time_split(ratings, 0.2)
    assert len(train) + len(test) == len(ratings)
    pairs = ["user_id", "item_id"]
    assert train.merge(test, on=pairs).empty  # no test rating of a user is in their train part
    last_train = train.groupby("user_id")["timestamp"].max()
    first_test = test.groupby("user_id")["timestamp"].min()
    assert (last_train.loc[first_test.index] <= first_test).all()
    sizes = ratings.groupby("user_id").size()
    expected = np.floor(sizes * 0.2).astype(int)
    assert (test.groupby("user_id").size().reindex(sizes.index, fill_value=0) == expected).all()
    assert set(train["user_id"]) == set(ratings["user_id"])  # every user keeps a history


def test_random_split_is_disjoint_and_seeded(ratings: pd.DataFrame) -> None:
    train, test = random_split(ratings, 0.2, seed=7)
    assert len(test) == round(0.2 * len(ratings))
    assert train.merge(test, on=["user_id", "item_id"]).empty
    again, _ = random_split(ratings, 0.2, seed=7)
    pd.testing.assert_frame_equal(train, again)


def test_cold_start_ids_encode_as_minus_one(split: tuple) -> None:
    train, test, _, encoded_test = split
    encoder = Encoder.fit(train)
    assert encoder.user_index(np.array([10_000]))[0] == -1
    cold_items = ~test["item_id"].isin(train["item_id"])
    assert cold_items.any()  # the fixture's film 41 is only ever rated last
    assert (encoded_test.items[cold_items.to_numpy()] == -1).all()
