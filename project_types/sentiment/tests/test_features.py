"""Cleaning, tokenisation and TF-IDF features, fitted on training data only."""

from __future__ import annotations

from typing import Any

import pandas as pd

from {{ package_name }}.features import TextCleaner, clean_text, tokenize
from {{ package_name }}.models import build_pipeline


def test_clean_text_strips_html_and_case() -> None:
    assert clean_text("Great<br /><br />FILM &amp; cast") == "great film & cast"
    assert clean_text("<b>Bold</b>", lowercase=False) == "Bold"
    assert clean_text("<b>x</b>", strip_html=False) == "<b>x</b>"


def test_tokenize_keeps_negations_and_marks() -> None:
    assert tokenize("i don't like it!") == ["i", "don't", "like", "it", "!"]


def test_cleaner_is_stateless() -> None:
    cleaner = TextCleaner().fit(["<i>A</i>"])
    assert list(cleaner.transform(["<i>B</i>"])) == ["b"]


def test_vocabulary_comes_from_training_data_only(
    config: dict[str, Any], sample: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    train, test = sample
    config["features"]["min_df"] = 1
    pipeline = build_pipeline(config).fit(train["text"], train["label"])
    vocabulary = pipeline.named_steps["tfidf"].transformer_list[0][1].vocabulary_
    train_tokens = {t for text in train["text"] for t in tokenize(clean_text(text))}
    test_only = {t for text in test["text"] for t in tokenize(clean_text(text))} - train_tokens
    assert test_only  # the fixture has words only the test split uses...
    assert not test_only & set(vocabulary)  # ...and none of them reached the features


def test_chi2_selection_and_char_ngrams(
    config: dict[str, Any], sample: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    train, _ = sample
    config["features"].update(chi2_k=20, char_ngrams=True)
    pipeline = build_pipeline(config).fit(train["text"], train["label"])
    assert pipeline[:-1].transform(train["text"]).shape == (len(train), 20)
    names = pipeline.named_steps["tfidf"].get_feature_names_out()
    assert any(n.startswith("char__") for n in names)
    assert any(n.startswith("word__") for n in names)
