"""Loading and validating u.data / u.item."""

from __future__ import annotations

from pathlib import Path

import pytest

from {{ package_name }}.data import load_dataset, load_ratings, load_titles


def test_sample_loads_and_is_labelled_as_a_fixture(config: dict) -> None:
    dataset = load_dataset("sample", config)
    df = dataset.ratings
    assert list(df.columns) == ["user_id", "item_id", "rating", "timestamp"]
    assert len(df) > 500
    assert df["rating"].between(1, 5).all()
    assert not df.duplicated(["user_id", "item_id"]).any()
    assert set(df["item_id"]) <= set(dataset.titles.index)
    assert "fixture" in dataset.label and "not MovieLens" in dataset.label


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="latin-1")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1\t2\t3\n", "expected 4 tab-separated columns"),
        ("1\t2\t3\t4\n1\tx\t3\t5\n", "line 2 is not four numbers"),
        ("1\t2\t7\t4\n", "ratings must be between 1 and 5"),
        ("1\t2\t3\t4\n1\t2\t5\t9\n", "user 1 rated item 2 more than once"),
        ("0\t2\t3\t4\n", "ids must be positive"),
    ],
)
def test_bad_ratings_are_rejected_with_a_reason(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_ratings(write(tmp_path / "u.data", text))


def test_titles_are_read_as_latin1(tmp_path: Path) -> None:
    path = write(tmp_path / "u.item", "1|Caf\xe9 Society (1995)|01-Jan-1995||http://x|0|1\n")
    assert load_titles(path)[1] == "Café Society (1995)"


def test_full_data_missing_says_run_make_data(config: dict, tmp_path: Path) -> None:
    config = {**config, "data": {**config["data"], "raw_dir": str(tmp_path)}}
    with pytest.raises(SystemExit, match="make data"):
        load_dataset("full", config)
