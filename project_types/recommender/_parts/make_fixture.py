"""Write the recommender type's labelled synthetic fixture (data/sample/u.data and u.item).

Not part of a generated project: it documents, and reproduces byte for byte, how the fixture that
ships in data/sample/ was made. Run from the repository root:

    python project_types/recommender/tools/make_fixture.py

The fixture is synthetic, in MovieLens 100K's file formats: 60 users in four taste groups rate
41 fictional films in four genres. Each group likes one genre, is lukewarm about the next one and
dislikes the other two; each genre has one "blockbuster" that almost everyone rates. Film 41 is
rated only by a few users at the very end of their histories (a cold-start item), and user 60 has
only three ratings (too few to hold one out). A seeded generator adds the noise, so the output never
changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

GENRES = ["Sci-Fi", "Romance", "Comedy", "Thriller"]
# Column order of the 19 genre flags in MovieLens 100K's u.item.
ML_GENRES = [
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance",
    "Sci-Fi", "Thriller", "War", "Western",
]  # fmt: skip
N_USERS, PER_GENRE, SEED = 60, 10, 2015
START = 883_612_800  # 1998-01-01 UTC, inside MovieLens 100K's collection period


def main() -> None:
    """Write u.data and u.item into project_types/recommender/data/sample/."""
    rng = np.random.default_rng(SEED)
    out = Path(__file__).resolve().parents[1] / "data" / "sample"
    n_items = len(GENRES) * PER_GENRE
    genre = np.arange(n_items) // PER_GENRE
    quality = np.round(rng.normal(0.0, 0.35, n_items), 2)
    blockbuster = np.arange(n_items) % PER_GENRE == 0
    quality[blockbuster] += 0.4
    affinity = {0: 1.3, 1: 0.1, 2: -0.9, 3: -1.1}  # by (item genre - user group) mod 4
    seen_prob = {0: 0.8, 1: 0.45, 2: 0.2, 3: 0.15}

    rows: list[tuple[int, int, int, int]] = []
    for user in range(1, N_USERS + 1):
        group = (user - 1) % len(GENRES)
        user_bias = rng.normal(0.0, 0.3)
        offsets = (genre - group) % len(GENRES)
        probs = np.array([seen_prob[o] for o in offsets])
        probs[blockbuster] = 0.9
        items = np.flatnonzero(rng.random(n_items) < probs)
        if user == N_USERS:
            items = items[:3]
        rng.shuffle(items)
        t = START + user * 3 * 86_400
        for item in items:
            mean = 3.4 + user_bias + quality[item] + affinity[int(offsets[item])]
            rating = int(np.clip(np.rint(mean + rng.normal(0.0, 0.6)), 1, 5))
            t += int(rng.integers(600, 7_200))
            rows.append((user, int(item) + 1, rating, t))
        if user % 12 == 0 and user != N_USERS:  # a few late ratings of film 41, the cold-start item
            rows.append((user, n_items + 1, 5, t + 86_400))

    rows.sort(key=lambda r: (r[3], r[0], r[1]))
    (out / "u.data").write_text(
        "".join(f"{u}\t{i}\t{r}\t{t}\n" for u, i, r, t in rows), encoding="latin-1"
    )
    lines = []
    for item in range(n_items + 1):
        g = genre[item] if item < n_items else 0
        number = item % PER_GENRE + 1 if item < n_items else 11
        title = f"{GENRES[g]} Fixture Film {number:02d} ({1990 + item % 8})"
        flags = ["1" if name == GENRES[g] else "0" for name in ML_GENRES]
        lines.append("|".join([str(item + 1), title, f"01-Jan-{1990 + item % 8}", "", "", *flags]))
    (out / "u.item").write_text("\n".join(lines) + "\n", encoding="latin-1")
    print(f"wrote {len(rows)} ratings by {N_USERS} users of {n_items + 1} items to {out}")


if __name__ == "__main__":
    main()
