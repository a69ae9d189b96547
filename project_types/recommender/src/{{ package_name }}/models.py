"""Recommenders: popularity (the ranking baseline), user + item biases, biased ALS matrix
factorisation, item kNN, a blend of the rating models, and EASE.

Every model is fitted on :class:`~.split.Interactions` and gives ``scores(users)``, a
(users x items) array used to rank unseen items; the rating models also ``predict`` ratings, and
fall back to the biases (then the global mean) for users or items unseen in training.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from .config import Settings
from .split import Encoder, Interactions


class Model:
    """Common interface: fit, scores for ranking, and saving the fitted arrays."""

    name: ClassVar[str] = "model"
    fitted: ClassVar[tuple[str, ...]] = ()
    rates: ClassVar[bool] = False  # does ``predict`` give ratings?

    def fit(self, data: Interactions) -> Model:
        """Learn from the training interactions."""
        raise NotImplementedError

    def scores(self, users: np.ndarray) -> np.ndarray:
        """Ranking scores of every training item for each user index (higher is better)."""
        raise NotImplementedError

    def estimate(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Predicted ratings before any clipping to the rating scale (rating models only)."""
        raise TypeError(f"{self.name} does not predict ratings")

    def clip(self, estimates: np.ndarray) -> np.ndarray:
        """Estimates as predictions: clipped to the training ratings' range where the model
        keeps it (MF, kNN, the blend); the bias model's are left as they are."""
        return estimates

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Predicted ratings (rating models only): the clipped :meth:`estimate`."""
        return self.clip(self.estimate(users, items))

    def estimates(self, users: np.ndarray) -> np.ndarray:
        """:meth:`estimate` of every item for each (known) user index (rating models only)."""
        raise TypeError(f"{self.name} does not predict ratings")

    def params(self) -> dict[str, Any]:
        """The constructor arguments the model was built with (not the fitted arrays)."""
        return {
            k: v for k, v in vars(self).items() if k not in self.fitted and not k.startswith("_")
        }

    def state(self) -> dict[str, np.ndarray]:
        """The parameters and fitted arrays, for ``np.savez``."""
        params = {f"param.{k}": np.asarray(v) for k, v in self.params().items()}
        return params | {k: np.asarray(getattr(self, k)) for k in self.fitted}

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> Model:
        """Rebuild a fitted model from :meth:`state`."""
        params = {k[6:]: v.item() for k, v in state.items() if k.startswith("param.")}
        model = cls(**params)
        for key in cls.fitted:
            setattr(model, key, state[key])
        return model


class Popularity(Model):
    """Recommend the items rated by the most users in training (a non-personalised baseline)."""

    name = "popularity"
    fitted = ("counts",)

    def __init__(self) -> None:
        self.counts = np.zeros(0)

    def fit(self, data: Interactions) -> Popularity:
        """Count each item's ratings."""
        self.counts = np.bincount(data.items, minlength=data.n_items).astype(float)
        return self

    def scores(self, users: np.ndarray) -> np.ndarray:
        """The same popularity ranking for every user."""
        return np.broadcast_to(self.counts, (len(users), len(self.counts)))


class Bias(Model):
    """Global mean plus regularised user and item biases: r = mu + b_u + b_i."""

    name = "bias"
    fitted = ("mu", "user_bias", "item_bias")
    rates = True

    def __init__(self, reg_user: float = 15.0, reg_item: float = 10.0, iterations: int = 10):
        self.reg_user, self.reg_item, self.iterations = reg_user, reg_item, iterations
        self.mu = np.float64(0.0)
        self.user_bias = self.item_bias = np.zeros(0)

    def fit(self, data: Interactions) -> Bias:
        """Alternate closed-form ridge updates of the item and user biases."""
        u, i, r = data.users, data.items, data.ratings
        self.mu = np.float64(r.mean())
        n_u = np.bincount(u, minlength=data.n_users)
        n_i = np.bincount(i, minlength=data.n_items)
        self.user_bias = np.zeros(data.n_users)
        self.item_bias = np.zeros(data.n_items)
        for _ in range(self.iterations):
            residual = r - self.mu - self.user_bias[u]
            self.item_bias = np.bincount(i, residual, data.n_items) / (n_i + self.reg_item)
            residual = r - self.mu - self.item_bias[i]
            self.user_bias = np.bincount(u, residual, data.n_users) / (n_u + self.reg_user)
        return self

    def estimate(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """mu + b_u + b_i, with a zero bias for an unseen user or item."""
        b_u = np.where(users >= 0, self.user_bias[users.clip(0)], 0.0)
        b_i = np.where(items >= 0, self.item_bias[items.clip(0)], 0.0)
        return self.mu + b_u + b_i

    def scores(self, users: np.ndarray) -> np.ndarray:
        """Rank by item bias: the best-rated items (shrunk towards the mean) for everyone."""
        return np.broadcast_to(self.item_bias, (len(users), len(self.item_bias)))

    def estimates(self, users: np.ndarray) -> np.ndarray:
        """Predicted ratings of every item for each (known) user index."""
        return np.asarray(self.mu + self.user_bias[users, None] + self.item_bias)


class MatrixFactorization(Model):
    """Biased matrix factorisation r = mu + b_u + b_i + p_u . q_i, fitted by ALS.

    Alternating least squares: with the item side fixed, each user's (p_u, b_u) is a small ridge
    regression with a closed form, and vice versa. The factors' penalty is ``reg`` times the
    number of ratings of the user or item (weighted-lambda regularisation, ALS-WR), which keeps
    one penalty right for light and heavy raters alike; the biases get a lighter one,
    ``bias_reg`` per rating. The per-row systems are built by sparse products and solved in
    batches: O(ratings * factors^2 + (users + items) * factors^3) per iteration.

    Fitted with a ``validation`` part and a ``start`` (a fitted :class:`Bias`), the number of
    iterations is chosen on validation RMSE, from 0 (the bias model itself) to ``iterations``:
    on the data it is chosen on, MF is never worse than the bias baseline.
    """

    name = "mf"
    fitted = ("mu", "user_factors", "item_factors", "user_bias", "item_bias", "bounds", "curve")
    rates = True

    def __init__(
        self,
        factors: int = 20,
        reg: float = 0.1,
        bias_reg: float = 0.01,
        iterations: int = 15,
        seed: int = 0,
    ) -> None:
        self.factors, self.reg, self.bias_reg = factors, reg, bias_reg
        self.iterations, self.seed = iterations, seed
        self.mu = np.float64(0.0)
        self.user_factors = self.item_factors = np.zeros((0, factors))
        self.user_bias = self.item_bias = np.zeros(0)
        self.bounds = np.array([-np.inf, np.inf])  # lowest and highest training rating
        self.curve = np.zeros(0)  # validation RMSE after 0, 1, ... iterations (if validated)

    def _solve(
        self, matrix: sp.csr_matrix, other: np.ndarray, other_bias: np.ndarray, block: int = 2048
    ) -> tuple[np.ndarray, np.ndarray]:
        """One half-step: the best (factors, bias) of every row given the other side.

        Row r's Gram matrix, the sum of f_j f_j' over its rated columns j, is row r of the 0/1
        pattern times the columns' outer products, of which only the upper triangle is computed
        (it is symmetric: half the work): one sparse product per ``block`` rows (memory
        block x dim^2), no Python loop over rows.
        """
        features = np.hstack([other, np.ones((len(other), 1))])
        dim = features.shape[1]
        upper, lower = np.triu_indices(dim)
        outer = features[:, upper] * features[:, lower]
        position = np.zeros((dim, dim), dtype=int)  # (i, j) -> its entry of the triangle
        position[upper, lower] = position[lower, upper] = np.arange(len(upper))
        pattern = sp.csr_matrix(
            (np.ones_like(matrix.data), matrix.indices, matrix.indptr), shape=matrix.shape
        )
        residual = sp.csr_matrix(
            (matrix.data - self.mu - other_bias[matrix.indices], matrix.indices, matrix.indptr),
            shape=matrix.shape,
        )
        rhs = residual @ features
        counts = np.diff(matrix.indptr)
        penalty = np.array([self.reg] * (dim - 1) + [self.bias_reg])
        diagonal = np.arange(dim)
        solution = np.empty((matrix.shape[0], dim))
        for start in range(0, matrix.shape[0], block):
            rows = slice(start, start + block)
            gram = np.asarray(pattern[rows] @ outer)[:, position]
            gram[:, diagonal, diagonal] += np.maximum(counts[rows], 1)[:, None] * penalty
            solution[rows] = np.linalg.solve(gram, rhs[rows][..., None])[..., 0]
        return solution[:, :-1], solution[:, -1]

    def fit(
        self,
        data: Interactions,
        validation: Interactions | None = None,
        start: Bias | None = None,
    ) -> MatrixFactorization:
        """Run ALS from a small random start (and the biases of ``start``, if given).

        With ``validation``, keep the iteration count with the lowest validation RMSE (0: the
        start's biases and no factors) and record the curve.
        """
        rng = np.random.default_rng(self.seed)
        by_user = data.matrix().tocsr()
        by_item = by_user.T.tocsr()
        self.bounds = np.array([data.ratings.min(), data.ratings.max()], dtype=float)
        if start is not None:
            self.mu = np.float64(start.mu)
            self.user_bias, self.item_bias = start.user_bias.copy(), start.item_bias.copy()
        else:
            self.mu = np.float64(data.ratings.mean())
            self.user_bias, self.item_bias = np.zeros(data.n_users), np.zeros(data.n_items)
        self.user_factors = np.zeros((data.n_users, self.factors))
        self.item_factors = np.zeros((data.n_items, self.factors))
        item_factors = rng.normal(0, 0.1, (data.n_items, self.factors))
        best = self._snapshot()
        curve = [self._rmse(validation)] if validation is not None else []
        for _ in range(self.iterations):
            self.user_factors, self.user_bias = self._solve(by_user, item_factors, self.item_bias)
            self.item_factors, self.item_bias = self._solve(
                by_item, self.user_factors, self.user_bias
            )
            item_factors = self.item_factors
            if validation is not None:
                curve.append(self._rmse(validation))
                if curve[-1] < min(curve[:-1]):
                    best = self._snapshot()
        if validation is not None:
            self.user_bias, self.item_bias, self.user_factors, self.item_factors = best
            self.curve = np.array(curve)
        return self

    def _snapshot(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.user_bias, self.item_bias, self.user_factors, self.item_factors

    def _rmse(self, part: Interactions) -> float:
        error = part.ratings - self.predict(part.users, part.items)
        return float(np.sqrt(np.mean(error**2)))

    @property
    def best_iterations(self) -> int:
        """The iteration count validation chose (all of them without validation)."""
        return int(np.argmin(self.curve)) if len(self.curve) else self.iterations

    def estimate(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Unclipped predicted ratings; unseen ids use the biases."""
        known_u, known_i = users >= 0, items >= 0
        u, i = users.clip(0), items.clip(0)
        dot = np.einsum("ij,ij->i", self.user_factors[u], self.item_factors[i])
        return (
            self.mu
            + np.where(known_u, self.user_bias[u], 0.0)
            + np.where(known_i, self.item_bias[i], 0.0)
            + np.where(known_u & known_i, dot, 0.0)
        )

    def clip(self, estimates: np.ndarray) -> np.ndarray:
        """Estimates clipped to the training ratings' range."""
        return estimates.clip(self.bounds[0], self.bounds[1])

    def estimates(self, users: np.ndarray) -> np.ndarray:
        """Unclipped predicted ratings of every item for each (known) user index."""
        return (
            self.mu
            + self.user_bias[users, None]
            + self.item_bias
            + self.user_factors[users] @ (self.item_factors.T)
        )

    def scores(self, users: np.ndarray) -> np.ndarray:
        """Predicted ratings of every item (the rating model used for ranking)."""
        return self.estimates(users)


class ItemKNN(Model):
    """Item-based k nearest neighbours on the bias model's residuals (Koren's neighbourhood model,
    as Surprise's ``KNNBaseline`` with Pearson-baseline similarities).

    r_ui = b_ui + sum_j s_ij (r_uj - b_uj) / (sum_j s_ij + reg), over the items j the user rated
    among item i's ``neighbours`` most similar items; b is the bias model. s_ij is the Pearson
    correlation of the residuals r - b over the users who rated both, shrunk by
    (n_ij - 1) / (n_ij - 1 + shrinkage) for n_ij such users; only positive ones are kept.
    Similarities cover the ``max_items`` most rated items (the others keep the bias prediction):
    fitting costs sparse products of O(sum over users of (items rated)^2) at most and saves
    O(max_items * neighbours) weights; predicting for a user costs O(their ratings * max_items),
    from a dense float32 copy of the weights (max_items^2 x 4 bytes).
    """

    name = "knn"
    fitted = (
        "mu",
        "user_bias",
        "item_bias",
        "kept",
        "similarity_index",
        "similarity_values",
        "residual_index",
        "residual_values",
        "bounds",
    )
    rates = True

    def __init__(
        self,
        neighbours: int = 300,
        shrinkage: float = 100.0,
        reg: float = 2.0,
        max_items: int = 3000,
    ) -> None:
        self.neighbours, self.shrinkage, self.reg = neighbours, shrinkage, reg
        self.max_items = max_items
        self.mu = np.float64(0.0)
        self.user_bias = self.item_bias = np.zeros(0)
        self.kept = np.zeros(0, dtype=int)  # the item indices the similarities cover
        # Two sparse matrices, each as an index and a values array (see _pack): kept x kept
        # similarities (item i's neighbours in row i) and users x kept residuals r - b.
        self.similarity_index = self.residual_index = np.zeros(3, dtype=np.int32)
        self.similarity_values = self.residual_values = np.zeros(0, dtype=np.float32)
        self.bounds = np.array([-np.inf, np.inf])
        self._cache: dict[str, sp.csr_matrix] = {}

    def fit(self, data: Interactions, start: Bias | None = None) -> ItemKNN:
        """Residuals of ``start`` (else a default bias model), then each item's neighbours."""
        return ItemKNN.fit_many([self], data, start)[0]

    @staticmethod
    def fit_many(
        models: Sequence[ItemKNN], data: Interactions, start: Bias | None = None
    ) -> list[ItemKNN]:
        """Fit several kNN models (sharing ``max_items``) on the same data for about the cost of
        one, as ``make tune`` does: the correlations and co-rating counts are computed once,
        each shrinkage's neighbours are selected once for the largest ``neighbours`` asked."""
        if len({model.max_items for model in models}) > 1:
            raise ValueError("kNN models fitted together must have the same max_items")
        bias = start if start is not None else Bias().fit(data)
        counts = np.bincount(data.items[data.items >= 0], minlength=data.n_items)
        kept = np.sort(np.argsort(-counts, kind="stable")[: models[0].max_items])
        column = np.full(data.n_items, -1)
        column[kept] = np.arange(len(kept))
        keep = (data.users >= 0) & (column[data.items.clip(0)] >= 0) & (data.items >= 0)
        users, cols = data.users[keep], column[data.items[keep]]
        values = data.ratings[keep] - bias.predict(users, data.items[keep])
        residual = sp.csr_matrix((values, (users, cols)), shape=(data.n_users, len(kept)))
        wanted: dict[float, set[int]] = {}
        for model in models:
            wanted.setdefault(model.shrinkage, set()).add(model.neighbours)
        found: dict[tuple[float, int], list[tuple[np.ndarray, ...]]] = {}
        for block, correlation, common in _correlations(residual):
            for shrinkage, sizes in wanted.items():
                for k, part in _neighbours(block, correlation, common, shrinkage, sizes).items():
                    found.setdefault((shrinkage, k), []).append(part)
        residual_index, residual_values = _pack(residual)
        shape = (len(kept), len(kept))
        for model in models:
            blocks = found[(model.shrinkage, model.neighbours)]
            rows, cols, weights = (np.concatenate(parts) for parts in zip(*blocks, strict=True))
            similarity = sp.csr_matrix((weights, (rows, cols)), shape=shape)
            model.similarity_index, model.similarity_values = _pack(similarity)
            model.residual_index, model.residual_values = residual_index, residual_values
            model.mu, model.user_bias, model.item_bias = bias.mu, bias.user_bias, bias.item_bias
            model.bounds = np.array([data.ratings.min(), data.ratings.max()], dtype=float)
            model.kept = kept
            model._cache = {}
        return list(models)

    def _matrices(self) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
        """The similarity, residual and rated-pattern matrices, in float32 as saved (built once
        after fitting or loading)."""
        cache = self._cache
        if not cache:
            cache["similarity"] = _unpack(self.similarity_index, self.similarity_values)
            cache["residual"] = _unpack(self.residual_index, self.residual_values)
            rated = cache["residual"].copy()
            rated.data = np.ones_like(rated.data)
            cache["rated"] = rated
        return cache["similarity"], cache["residual"], cache["rated"]

    def _weights(self) -> np.ndarray:
        """The similarities transposed, as a dense float32 kept x kept array (kept^2 x 4 bytes,
        36 MB for 3,000 items), C-ordered: scipy copies any other order at every product."""
        return np.asarray(self._matrices()[0].T.toarray(order="C"))

    def _sums(self, users: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each (known) user index and kept item: sum_j s_ij e_uj and sum_j s_ij over the
        user's rated neighbours j (users x kept each).

        The users' sparse rows times :meth:`_weights` (made once per prediction pass):
        O(their ratings x kept) multiply-adds in a tight loop, cheaper here than a sparse
        product's O(ratings x neighbours) bookkeeping.
        """
        _, residual, rated = self._matrices()
        total = np.asarray(residual[users] @ weights, dtype=float)
        return total, np.asarray(rated[users] @ weights, dtype=float)

    def neighbour_sums(
        self, users: np.ndarray, items: np.ndarray, batch: int = 512
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The bias estimates of the pairs, and their two neighbour sums (see :meth:`_sums`;
        0 for unseen ids and items outside ``kept``): r = b + total / (norm + reg).

        Computed ``batch`` users at a time for all kept items, then the asked pairs are picked
        out: memory batch x kept items.
        """
        column = np.full(len(self.item_bias), -1)
        column[self.kept] = np.arange(len(self.kept))
        base = self.mu + np.where(users >= 0, self.user_bias[users.clip(0)], 0.0)
        base += np.where(items >= 0, self.item_bias[items.clip(0)], 0.0)
        total, norm = np.zeros(len(users)), np.zeros(len(users))
        cols = np.where(items >= 0, column[items.clip(0)], -1)
        pairs = np.flatnonzero((users >= 0) & (cols >= 0))
        known, position = np.unique(users[pairs], return_inverse=True)
        weights = self._weights()
        for start in range(0, len(known), batch):
            sums = self._sums(known[start : start + batch], weights)
            inside = (position >= start) & (position < start + batch)
            at = (position[inside] - start, cols[pairs[inside]])
            total[pairs[inside]], norm[pairs[inside]] = sums[0][at], sums[1][at]
        return base, total, norm

    def estimate(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Unclipped predicted ratings; unseen ids and items outside ``kept`` use the biases."""
        return self.from_sums(*self.neighbour_sums(users, items))

    def from_sums(self, base: np.ndarray, total: np.ndarray, norm: np.ndarray) -> np.ndarray:
        """The estimate from :meth:`neighbour_sums`: base + total / (norm + reg)."""
        return base + _ratio(total, norm + self.reg)  # no rated neighbour: 0

    def clip(self, estimates: np.ndarray) -> np.ndarray:
        """Estimates clipped to the training ratings' range."""
        return estimates.clip(self.bounds[0], self.bounds[1])

    def estimates(self, users: np.ndarray) -> np.ndarray:
        """Unclipped predicted ratings of every item for each (known) user index."""
        result = self.mu + self.user_bias[users, None] + self.item_bias
        total, norm = self._sums(users, self._weights())
        result[:, self.kept] += _ratio(total, norm + self.reg)
        return result

    def scores(self, users: np.ndarray) -> np.ndarray:
        """Predicted ratings of every item (ranked like MF)."""
        return self.estimates(users)


def _correlations(
    residual: sp.csr_matrix, block: int = 1024
) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
    """Pearson correlations of the residual matrix's columns (items) over the rows (users) that
    have both, ``block`` columns at a time: (the block's columns, their correlations with every
    column, their counts of rows in common). Sparse products; memory O(block x columns)."""
    rated = residual.copy()
    rated.data = np.ones_like(rated.data)
    squared = residual.multiply(residual).tocsr()
    by_item = [m.T.tocsr() for m in (residual, rated, squared)]
    both = sp.hstack([squared, rated]).tocsr()
    m = residual.shape[1]
    for start in range(0, m, block):
        rows = slice(start, min(start + block, m))
        product = (by_item[0][rows] @ residual).toarray()
        own = (by_item[2][rows] @ rated).toarray()  # sum of e_ui^2 where j is rated too
        other, common = np.split((by_item[1][rows] @ both).toarray(), 2, axis=1)
        yield rows, _ratio(product, np.sqrt(own * other)), common


def _neighbours(
    block: slice,
    correlation: np.ndarray,
    common: np.ndarray,
    shrinkage: float,
    sizes: set[int],
) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """For each size k: rows, columns and values of the k best positive shrunk similarities of
    a block of items (see :func:`_correlations`); one selection serves every size."""
    shrunk = np.maximum(common - 1, 0)
    similarity = correlation * _ratio(shrunk, shrunk + shrinkage)  # one user in common: 0
    index = np.arange(block.start, block.stop)
    similarity[index - block.start, index] = 0.0
    largest = min(max(sizes), similarity.shape[1] - 1)
    if largest < 1:
        empty = np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.float32)
        return {k: empty for k in sizes}
    best = np.argpartition(-similarity, largest - 1, axis=1)[:, :largest]
    value = np.take_along_axis(similarity, best, axis=1)
    if len(sizes) > 1:  # the best first, so each size takes a prefix
        order = np.argsort(-value, axis=1, kind="stable")
        best, value = np.take_along_axis(best, order, 1), np.take_along_axis(value, order, 1)
    result = {}
    for k in sizes:  # as saved (int32, float32): a tuning grid holds many sizes at once
        top, top_value = best[:, :k].astype(np.int32), value[:, :k].astype(np.float32)
        positive = top_value > 0
        rows = np.broadcast_to(index[:, None].astype(np.int32), top.shape)
        result[k] = rows[positive], top[positive], top_value[positive]
    return result


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0."""
    out = np.zeros(np.broadcast_shapes(numerator.shape, denominator.shape))
    return np.divide(numerator, denominator, out=out, where=denominator != 0)


def _pack(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """A CSR matrix as (rows, columns, indptr, indices) in int32 and its values in float32."""
    index = np.concatenate([matrix.shape, matrix.indptr, matrix.indices]).astype(np.int32)
    return index, matrix.data.astype(np.float32)


def _unpack(index: np.ndarray, values: np.ndarray) -> sp.csr_matrix:
    """The CSR matrix :func:`_pack` stored (float32 values)."""
    rows, cols = int(index[0]), int(index[1])
    indptr, indices = index[2 : rows + 3], index[rows + 3 :]
    return sp.csr_matrix((values.astype(np.float32), indices, indptr), shape=(rows, cols))


class Blend(Model):
    """A linear blend of the rating models, weighted on ratings they were not fitted on.

    r = w0 + w1 bias + w2 (mf - bias) + w3 (knn - bias): the weights minimise the squared error
    on a validation hold-out inside the training part, plus ``ridge`` times the squared distance
    from the bias model alone (w = 0, 1, 0, 0), so on that hold-out the blend is never worse than
    the bias baseline (clipping to the training ratings' range, as MF's predictions are, can only
    help ratings inside it).
    """

    name = "blend"
    fitted = ("weights",)
    rates = True
    parts = ("bias", "mf", "knn")

    def __init__(self, ridge: float = 1.0) -> None:
        self.ridge = ridge
        self.weights = np.array([0.0, 1.0, 0.0, 0.0])
        self._bounds = np.array([-np.inf, np.inf])
        self._models: dict[str, Model] = {}

    def attach(self, models: dict[str, Model]) -> Blend:
        """Use these fitted models as the parts (after loading, or refitting with the weights)."""
        missing = [name for name in self.parts if name not in models]
        if missing:
            raise ValueError(f"the blend needs the models {', '.join(missing)}")
        self._models = {name: models[name] for name in self.parts}
        self._bounds = np.asarray(getattr(models["mf"], "bounds", self._bounds), dtype=float)
        return self

    def uses(self, models: Mapping[str, Model]) -> bool:
        """Are its parts these very models (so their estimates can be reused)?"""
        return bool(self._models) and all(self._models[n] is models.get(n) for n in self.parts)

    def features(self, estimates: Mapping[str, np.ndarray]) -> np.ndarray:
        """Columns 1, bias, mf - bias, knn - bias of the parts' estimates of the same pairs."""
        base = estimates["bias"]
        others = [estimates[n] - base for n in self.parts[1:]]
        return np.column_stack([np.ones_like(base), base, *others])

    def fit(self, data: Interactions, estimates: Mapping[str, np.ndarray] | None = None) -> Blend:
        """Fit the weights on ``data``, ratings the attached parts were *not* fitted on.

        ``estimates``: the parts' estimates of those ratings, if already computed.
        """
        x = self.features(estimates or self._estimates(data.users, data.items))
        return self.fit_features(x, data.ratings)

    def fit_features(self, x: np.ndarray, ratings: np.ndarray) -> Blend:
        """Fit the weights on :meth:`features` rows and the ratings they estimate."""
        prior = np.array([0.0, 1.0, 0.0, 0.0])
        gram = x.T @ x + self.ridge * np.eye(x.shape[1])
        # lstsq, not solve: with ridge 0 a part that adds nothing (MF after 0 iterations) or an
        # empty hold-out makes the system singular; any of its solutions fits equally well.
        rhs = x.T @ ratings + self.ridge * prior
        self.weights = np.linalg.lstsq(gram, rhs, rcond=None)[0]
        return self

    def _estimates(self, users: np.ndarray, items: np.ndarray) -> dict[str, np.ndarray]:
        return {n: self._models[n].estimate(users, items) for n in self.parts}

    def combine(self, estimates: Mapping[str, np.ndarray]) -> np.ndarray:
        """The blend's (unclipped) estimate from its parts' estimates of the same pairs."""
        return np.asarray(self.features(estimates) @ self.weights)

    def estimate(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Blended ratings before clipping."""
        return self.combine(self._estimates(users, items))

    def clip(self, estimates: np.ndarray) -> np.ndarray:
        """Estimates clipped to the training ratings' range."""
        return estimates.clip(self._bounds[0], self._bounds[1])

    def scores(self, users: np.ndarray) -> np.ndarray:
        """Blended (unclipped) ratings of every item."""
        estimates = {n: self._models[n].estimates(users) for n in self.parts}
        base = estimates["bias"]
        others = (estimates[n] - base for n in self.parts[1:])
        w = self.weights
        return np.asarray(
            w[0] + w[1] * base + sum(x * y for x, y in zip(w[2:], others, strict=True))
        )


class EASE(Model):
    """EASE (Steck, 2019): a closed-form item-item linear model trained for ranking.

    B = argmin ||X - XB||^2 + reg ||B||^2 with diag(B) = 0, on the user x item matrix X of what
    each user rated. The solution is P = (X'X + reg I)^-1, B = -P / diag(P); a user's scores are
    their row of X times B. X weighs a liked rating (>= ``liked``, the relevance threshold) 1.5
    and any other rating 0.5: on MovieLens 100K's time split that lifted validation NDCG@10 from
    0.140 to 0.156 over a binary X. Cost: O(m^3) time and O(m^2) memory for the inverse, m the
    number of items kept, at most ``max_items`` (the most rated ones; the others are never
    recommended), so a large catalogue costs at most that one inverse, in float32.
    """

    name = "ease"
    fitted = ("weights", "kept", "history_users", "history_items", "history_values", "shape")

    def __init__(self, reg: float = 200.0, liked: float = 4.0, max_items: int = 5000) -> None:
        self.reg, self.liked, self.max_items = reg, liked, max_items
        self.weights: np.ndarray = np.zeros((0, 0), dtype=np.float32)
        self.kept = np.zeros(0, dtype=int)  # the item indices B covers
        self.history_users = self.history_items = np.zeros(0, dtype=int)
        self.history_values = np.zeros(0, dtype=np.float32)
        self.shape = np.zeros(2, dtype=int)

    def history(self, data: Interactions) -> sp.csr_matrix:
        """X: 1.5 for a liked rating, 0.5 for any other, over the items of ``data``."""
        keep = (data.users >= 0) & (data.items >= 0)
        values = np.where(data.ratings[keep] >= self.liked, 1.5, 0.5).astype(np.float32)
        shape = (data.n_users, data.n_items)
        return sp.csr_matrix((values, (data.users[keep], data.items[keep])), shape=shape)

    def fit(self, data: Interactions) -> EASE:
        """Solve for the item-item weights of the ``max_items`` most rated items."""
        x = self.history(data)
        counts = np.bincount(data.items[data.items >= 0], minlength=data.n_items)
        self.kept = np.sort(np.argsort(-counts, kind="stable")[: self.max_items])
        xk = x[:, self.kept]
        gram = (xk.T @ xk).toarray().astype(np.float32)
        gram[np.diag_indices_from(gram)] += self.reg
        inverse = spd_inverse(gram)
        self.weights = inverse / -np.diag(inverse)
        np.fill_diagonal(self.weights, 0.0)
        coo = x.tocoo()
        self.history_users, self.history_items, self.history_values = coo.row, coo.col, coo.data
        self.shape = np.array(x.shape)
        return self

    def scores(self, users: np.ndarray, history: sp.csr_matrix | None = None) -> np.ndarray:
        """A user's history row times the weights (items outside ``kept`` score -inf).

        ``history`` (rows of X, e.g. from :meth:`history` on newer ratings) replaces the
        training history: how ``predict`` uses every rating without fitting again.
        """
        if history is None:
            history = sp.csr_matrix(
                (self.history_values, (self.history_users, self.history_items)),
                shape=tuple(self.shape),
            )[users]
        result = np.full((history.shape[0], int(self.shape[1])), -np.inf)
        result[:, self.kept] = np.asarray(history[:, self.kept] @ self.weights)
        return result


def spd_inverse(matrix: np.ndarray) -> np.ndarray:
    """The inverse of a symmetric positive definite matrix by Cholesky (half LU's cost)."""
    lapack = sla.get_lapack_funcs(("potrf", "potri"), (matrix,))
    factor, info = lapack[0](matrix, lower=False, overwrite_a=True, clean=True)
    if info == 0:
        inverse, info = lapack[1](factor, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"matrix not positive definite (LAPACK info {info})")
    return np.triu(inverse) + np.triu(inverse, 1).T


MODELS: dict[str, type[Model]] = {
    m.name: m for m in (Popularity, Bias, MatrixFactorization, ItemKNN, Blend, EASE)
}


def params_of(name: str, settings: Settings) -> dict[str, Any]:
    """A model's parameters: its settings section of the same name (MF also gets the seed)."""
    section = getattr(settings, name, None)
    params: dict[str, Any] = section.model_dump() if section is not None else {}
    if name == "mf":
        params["seed"] = settings.seed
    if name == "ease":
        params["liked"] = settings.evaluation.relevance_threshold
    return params


def estimates_of(
    models: Mapping[str, Model], users: np.ndarray, items: np.ndarray
) -> dict[str, np.ndarray]:
    """:meth:`Model.estimate` of every rating model on the same (user, item) pairs, each model
    computed once: a blend whose parts are among ``models`` combines their estimates."""
    estimates = {
        name: model.estimate(users, items)
        for name, model in models.items()
        if model.rates and not (isinstance(model, Blend) and model.uses(models))
    }
    for name, model in models.items():
        if name not in estimates and isinstance(model, Blend):
            estimates[name] = model.combine(estimates)
    return {name: estimates[name] for name in models if name in estimates}


def predictions(
    models: Mapping[str, Model], users: np.ndarray, items: np.ndarray
) -> dict[str, np.ndarray]:
    """:meth:`Model.predict` of every rating model on the same pairs (see :func:`estimates_of`)."""
    return {
        name: models[name].clip(values)
        for name, values in estimates_of(models, users, items).items()
    }


def build(name: str, settings: Settings) -> Model:
    """A model with its parameters from the settings section of the same name."""
    return MODELS[name](**params_of(name, settings))


def top_n(
    model: Model, seen: sp.csr_matrix, users: np.ndarray, k: int, batch: int = 512
) -> np.ndarray:
    """The k best-scored items for each user among the items they did not rate in training.

    Users are scored ``batch`` at a time, so memory stays at batch x items whatever the number
    of users; the k best are found by partial selection (O(items) per user) and ordered by score,
    ties by item index. The result has shape (users, k).
    """
    k = min(k, seen.shape[1])
    lists = np.empty((len(users), k), dtype=int)
    for start in range(0, len(users), batch):
        chunk = users[start : start + batch]
        scores = np.array(model.scores(chunk), dtype=float)
        rows, cols = seen[chunk].nonzero()
        scores[rows, cols] = -np.inf
        best = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k < scores.shape[1] else None
        if best is None:
            best = np.tile(np.arange(scores.shape[1]), (len(chunk), 1))
        best_scores = np.take_along_axis(scores, best, axis=1)
        order = np.lexsort((best, -best_scores), axis=1)
        lists[start : start + len(chunk)] = np.take_along_axis(best, order, axis=1)
    return lists


def save_models(path: Path, encoder: Encoder, models: dict[str, Model], meta: str = "{}") -> None:
    """Save fitted models, the id encoding and ``meta`` (JSON) in one ``.npz``."""
    arrays = {"user_ids": encoder.user_ids, "item_ids": encoder.item_ids, "meta": np.array(meta)}
    for name, model in models.items():
        arrays |= {f"{name}/{key}": value for key, value in model.state().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part.npz")
    # Not compressed: the big arrays (EASE's and kNN's weights) are floats that deflate by a few
    # percent at a cost of about 0.3 s per file on MovieLens 100K, and the load is faster too.
    np.savez(tmp, **arrays)  # type: ignore[arg-type]
    tmp.replace(path)


def load_models(path: Path) -> tuple[Encoder, dict[str, Model], dict[str, Any]]:
    """Load what :func:`save_models` wrote: the encoding, the models and the meta data."""
    with np.load(path) as npz:
        arrays = dict(npz)
    encoder = Encoder(arrays.pop("user_ids"), arrays.pop("item_ids"))
    meta = json.loads(str(arrays.pop("meta", np.array("{}"))))
    states: dict[str, dict[str, np.ndarray]] = {}
    for key, value in arrays.items():
        name, _, field = key.partition("/")
        states.setdefault(name, {})[field] = value
    models = {name: MODELS[name].from_state(state) for name, state in states.items()}
    for model in models.values():
        if isinstance(model, Blend):
            model.attach(models)
    return encoder, models, meta
