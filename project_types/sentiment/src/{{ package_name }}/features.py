"""Text preprocessing: cleaning, tokenisation, TF-IDF n-grams and chi2 selection.

Each step is a scikit-learn transformer, so inside a Pipeline it is fitted on training data
only: the vocabulary, document frequencies and selected features never see held-out reviews.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import SelectKBest, chi2
from sklearn.pipeline import FeatureUnion

from .config import FeatureSettings

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]")


def clean_text(text: str, lowercase: bool = True, strip_html: bool = True) -> str:
    """Unescape entities, replace HTML tags (IMDB has ``<br />``) by spaces, lower-case."""
    if strip_html:
        text = _TAG.sub(" ", html.unescape(text))
    if lowercase:
        text = text.lower()
    return _SPACE.sub(" ", text).strip()


def tokenize(text: str) -> list[str]:
    """Split cleaned text into words (keeping ``don't``), numbers, and ``!``/``?`` marks."""
    return _TOKEN.findall(text)


class TextCleaner(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Stateless transformer applying :func:`clean_text` to every document."""

    def __init__(self, lowercase: bool = True, strip_html: bool = True) -> None:
        self.lowercase = lowercase
        self.strip_html = strip_html

    def fit(self, X: Iterable[str], y: Any = None) -> TextCleaner:
        """Nothing to learn."""
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        """Return the cleaned documents."""
        return np.array(
            [clean_text(str(t), self.lowercase, self.strip_html) for t in X], dtype=object
        )


def build_vectorizer(features: FeatureSettings, min_df: float, chars: bool) -> FeatureUnion:
    """TF-IDF over word n-grams, plus character n-grams when ``chars``."""
    parts: list[tuple[str, Any]] = [
        (
            "word",
            TfidfVectorizer(
                tokenizer=tokenize,
                token_pattern=None,
                lowercase=False,
                ngram_range=(features.word_ngram_range[0], features.word_ngram_range[1]),
                min_df=min_df,
                max_df=features.max_df,
                max_features=features.max_features,
                sublinear_tf=features.sublinear_tf,
                dtype=np.float32,
            ),
        )
    ]
    if chars:
        parts.append(
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    lowercase=False,
                    ngram_range=(features.char_ngram_range[0], features.char_ngram_range[1]),
                    min_df=min_df,
                    max_df=features.max_df,
                    max_features=features.max_features,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            )
        )
    return FeatureUnion(parts)


def build_selector(features: FeatureSettings) -> SelectKBest | str:
    """Keep the ``chi2_k`` most class-dependent features, or pass everything through."""
    k = features.chi2_k
    return SelectKBest(chi2, k=k) if k else "passthrough"
