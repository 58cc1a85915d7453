"""The realistic-entities model of the scale corpus: fits that recover what made the data, and
draws that follow the measured profile."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from bench.entity_profile import (
    TYPES,
    EntityDrawer,
    expected_distinct,
    heaps_fit,
    measure,
    names_for,
    vocabulary,
    zipf_fit,
)


def _articles() -> list[dict[str, list[str]]]:
    """Articles named after a Zipf draw, two persons and one agency each, some without."""
    rng = random.Random(3)
    ranks = list(range(1, 401))
    weights = [r**-1.1 for r in ranks]
    out = []
    for n in range(3000):
        persons = list(dict.fromkeys(f"Person{r} Name" for r in rng.choices(ranks, weights, k=2)))
        out.append(
            {
                "person": persons,
                "agency": [f"Agency{rng.choice(ranks)} Bank"] if n % 3 else [],
                "location": [],
                "group": [],
                "countries": ["France"] if n % 2 else ["France", "Chile"],
            }
        )
    return out


def test_heaps_fit_recovers_the_growth_that_made_the_points() -> None:
    points = [(n, round(7.0 * n**0.62)) for n in (1000, 2000, 4000, 8000, 16000)]
    k, beta = heaps_fit(points)
    assert beta == pytest.approx(0.62, abs=0.005)
    assert k == pytest.approx(7.0, rel=0.05)


def test_zipf_fit_recovers_the_slope_and_ignores_the_sampled_tail() -> None:
    frequencies = [round(10_000 * r**-0.9) for r in range(1, 2000)]
    assert zipf_fit([f for f in frequencies if f > 0]) == pytest.approx(0.9, abs=0.03)
    assert zipf_fit([1, 1, 1]) == 1.0  # too little to fit: the classic slope


def test_vocabulary_size_is_solved_so_the_draws_see_the_projected_distinct_names() -> None:
    size = names_for(1.0, draws=2_000_000, distinct=150_000, floor=100, ceiling=5_000_000)
    assert expected_distinct(1.0, size, 2_000_000) == pytest.approx(150_000, rel=0.01)
    # a steep slope can never show that many names: the ceiling is the answer, not a loop
    assert names_for(3.0, draws=1000, distinct=10_000, floor=10, ceiling=50_000) == 50_000


def test_measure_counts_names_per_article_and_keeps_the_head_by_frequency() -> None:
    articles = _articles()
    profile = measure(articles)
    persons = profile["types"]["person"]
    assert profile["articles"] == 3000
    assert persons["distinct"] == len({p for a in articles for p in a["person"]})
    assert persons["per_article"]["max"] == 2
    assert persons["top"][0][0] == "Person1 Name"
    counts = [count for _, count in persons["top"]]
    assert counts == sorted(counts, reverse=True)
    assert profile["types"]["agency"]["per_article"]["mean"] == pytest.approx(2 / 3, abs=0.01)
    assert 0 < persons["heaps_beta"] < 1.0  # a vocabulary of 400 saturates
    assert sum(row[-1] for row in profile["count_tuples"]) == 3000
    assert dict(profile["countries"]) == {"France": 3000, "Chile": 1500}


def test_drawn_articles_follow_the_profile_and_more_articles_bring_more_names() -> None:
    profile = measure(_articles())
    small, large = vocabulary(profile, "person", 3000), vocabulary(profile, "person", 1_000_000)
    assert large.size > small.size >= len(large.real)
    beyond = [large.name(r) for r in range(len(large.real), len(large.real) + 5000)]
    assert len(set(beyond)) == len(beyond)  # composed names never repeat
    assert not set(beyond) & set(large.real)
    assert all(len(name.split()) >= 2 for name in beyond)
    drawer = EntityDrawer(profile, 3000)
    rng = random.Random(1)
    draws = [drawer.draw(rng) for _ in range(3000)]
    shapes = Counter(tuple(len(d[t]) for t in TYPES) for d in draws)
    measured = {tuple(row[:-1]): row[-1] for row in profile["count_tuples"]}
    for shape, count in measured.items():
        assert shapes[shape] == pytest.approx(count, rel=0.15, abs=30)
    top = Counter(name for d in draws for name in d["person"]).most_common(1)[0][0]
    assert top == "Person1 Name"
    assert all(d["countries"] for d in draws)
