"""Copies and clusters without a server: shingles, MinHash and band keys, the copy rule, the
cluster decisions, and two ingests at once simulated over the in-memory store."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from search.duplicates.batches import MemoryStore, cluster_batch, reconcile
from search.duplicates.clusters import (
    DEFAULT_RULE,
    Fingerprint,
    Stored,
    decide,
    fingerprint,
    founding_label,
    pairs,
)
from search.duplicates.minhash import (
    DEFAULT_LSH,
    LshParams,
    band_keys,
    estimated_jaccard,
    signature,
)
from search.duplicates.shingles import jaccard, shingle_hashes
from search.evaluation.duplicate_set import Labelled, LabelledSet, edited, follow_up
from search.evaluation.duplicates import evaluate, run_duplicates_eval
from search.models import RawRecord
from tests.conftest import corpus

WORDS = [f"w{n}" for n in range(3000)]


def text(seed: int, words: int = 300) -> str:
    rng = random.Random(seed)
    sentences = [" ".join(rng.choices(WORDS, k=15)) + "." for _ in range(words // 15)]
    return "\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))


def fp(article_id: str, body: str, content_hash: str | None = None) -> Fingerprint:
    return fingerprint(article_id, content_hash or f"hash-{body[:40]}", body)


def stored(found: Fingerprint, cluster_id: str) -> Stored:
    return Stored(found.id, cluster_id, found.content_hash, found.shingles)


# --- shingles and MinHash -----------------------------------------------------------------


def test_shingles_ignore_case_punctuation_and_spacing_but_not_word_order() -> None:
    a = shingle_hashes("The port reopened, after the strike; ships sailed at dawn.")
    b = shingle_hashes("the   PORT reopened after the strike ships sailed at dawn")
    swapped = shingle_hashes("The reopened port, after the strike; ships sailed at dawn.")
    assert np.array_equal(a, b)
    assert jaccard(a, swapped) < 0.5


def test_a_text_shorter_than_a_shingle_is_one_shingle_and_an_empty_one_none() -> None:
    assert shingle_hashes("Port reopens").size == 1
    assert shingle_hashes(" ... ").size == 0
    assert band_keys(signature(shingle_hashes(""))) == []


def test_band_keys_are_stable_across_versions() -> None:
    """Band keys are stored in the index: a change here needs `newsroom dedupe --reindex`."""
    found = fp("x", "The harbour of Valletta logged twelve ships today, the port authority said.")
    assert found.bands[:2] == ("0vtQhn6c", "1yqzmnSs")
    assert len(found.bands) == DEFAULT_LSH.bands == 32


def test_minhash_estimates_jaccard_and_bands_meet_only_when_similar() -> None:
    base = text(1)
    sentences = base.split(". ")
    edited_text = ". ".join(sentences[: len(sentences) * 3 // 4])  # a quarter cut off
    a, b, other = fp("a", base), fp("b", edited_text), fp("c", text(2))
    exact = jaccard(a.shingles, b.shingles)
    estimate = estimated_jaccard(signature(a.shingles), signature(b.shingles))
    assert 0.6 < exact < 0.85
    assert abs(estimate - exact) < 0.2
    assert set(a.bands) & set(b.bands)
    assert not set(a.bands) & set(other.bands)
    assert fp("a2", base).bands == a.bands


def test_lsh_parameters_find_half_similar_pairs_almost_always() -> None:
    assert DEFAULT_LSH.candidate_probability(0.5) > 0.99
    assert DEFAULT_LSH.candidate_probability(0.3) > 0.9
    assert DEFAULT_LSH.candidate_probability(0.02) < 0.02
    assert LshParams(16, 4).candidate_probability(0.5) < 0.7  # what the defaults replaced


# --- the copy rule ------------------------------------------------------------------------


def test_a_cut_copy_is_a_copy_by_containment_and_a_quoting_story_is_not() -> None:
    base = text(3)
    paragraphs = base.split("\n\n")
    cut = "\n\n".join(paragraphs[:2])  # the first two of five paragraphs
    quoting = text(4) + "\n\n" + paragraphs[0]
    a, b, c = shingle_hashes(base), shingle_hashes(cut), shingle_hashes(quoting)
    assert jaccard(a, b) < DEFAULT_RULE.jaccard
    assert DEFAULT_RULE.similarity(a, b) is not None
    assert DEFAULT_RULE.similarity(a, c) is None


def test_short_notices_of_one_template_are_not_copies_unless_near_exact() -> None:
    notice = "Qtly div 12 cts vs 12 cts prior pay April 15 record March 31"
    other = notice.replace("March 31", "March 30")
    a, b = shingle_hashes(notice), shingle_hashes(other)
    assert jaccard(a, b) >= DEFAULT_RULE.jaccard
    assert DEFAULT_RULE.similarity(a, b) is None
    assert DEFAULT_RULE.similarity(a, shingle_hashes(notice.upper())) == 1.0


# --- cluster decisions --------------------------------------------------------------------


def test_a_copy_joins_the_stored_cluster_and_an_unrelated_article_founds_its_own() -> None:
    original = fp("wire-1", text(5))
    copy, unrelated = fp("herald-1", text(5), original.content_hash), fp("wire-2", text(6))
    decision = decide([copy, unrelated], {"herald-1": [stored(original, "c-1")], "wire-2": []})
    assert decision.labels == {"herald-1": "c-1", "wire-2": "wire-2"}
    assert decision.matches["herald-1"].copy_of == "wire-1"
    assert decision.matches["herald-1"].exact
    assert decision.merges == {}


def test_copies_within_one_batch_take_the_smallest_id() -> None:
    batch = [
        fp("wire-7", text(7), "h1"),
        fp("courier-7", text(7) + " Advertisement.", "h2"),
        fp("b", text(8), "h3"),
    ]
    decision = decide(batch, {})
    assert decision.labels == {"wire-7": "courier-7", "courier-7": "courier-7", "b": "b"}
    assert decision.matches["courier-7"].copy_of == "wire-7"  # the one seen first
    assert not decision.matches["courier-7"].exact


def test_an_article_linking_two_clusters_joins_them_under_the_smaller_label() -> None:
    first, second = fp("a", text(9)), fp("b", text(10))
    roundup = fp("r", text(9) + "\n\n" + text(10))
    decision = decide([roundup], {"r": [stored(first, "zz"), stored(second, "mm")]})
    assert decision.labels == {"r": "mm"}
    assert decision.merges == {"zz": "mm"}


def test_an_article_is_never_its_own_candidate() -> None:
    article = fp("a", text(11))
    decision = decide([article], {"a": [stored(article, "old-cluster")]})
    assert decision.labels == {"a": "a"}
    assert decision.matches == {}


def test_an_article_whose_text_changed_does_not_found_a_cluster_under_its_old_label() -> None:
    article = fp("a", text(12))
    assert founding_label(article, previous_label="a").startswith("a~")
    assert founding_label(article, previous_label="other") == "a"
    decision = decide([article], {}, previous_labels={"a": "a"})
    assert decision.labels["a"] != "a"


def test_pairs_lists_every_pair_of_members_once() -> None:
    assert pairs([["c", "a", "b"], ["d"]]) == {("a", "b"), ("a", "c"), ("b", "c")}


# --- over a store: ingests at once, takedowns ------------------------------------------------


def test_two_ingests_that_miss_each_other_are_joined_after_writing() -> None:
    store = MemoryStore()
    one, two = fp("wire-1", text(13)), fp("herald-1", text(13))
    first = cluster_batch(store, [one])  # both look before either writes
    second = cluster_batch(store, [two])
    assert (first.labels["wire-1"], second.labels["herald-1"]) == ("wire-1", "herald-1")
    store.add(one, "wire-1")
    store.add(two, "herald-1")

    assert reconcile(store, [one], {"wire-1": "wire-1"}) == {"wire-1": "herald-1"}
    assert reconcile(store, [two], {"herald-1": "herald-1"}) == {}  # nothing left to join
    assert store.clusters() == {"herald-1": ["wire-1", "herald-1"]}


def test_a_member_taken_down_leaves_the_others_in_their_cluster() -> None:
    store = MemoryStore()
    batch = [fp("a", text(14)), fp("b", text(14)), fp("c", text(14))]
    decision = cluster_batch(store, batch)
    for article in batch:
        store.add(article, decision.labels[article.id])
    store.remove("a")  # the article whose id labels the cluster
    assert store.clusters() == {"a": ["b", "c"]}
    back = cluster_batch(store, [batch[0]])
    assert back.labels == {"a": "a"}


def test_one_cluster_per_candidate_the_member_sharing_most_keys() -> None:
    store = MemoryStore(clusters_per_article=1)
    close, far = fp("close", text(15)), fp("far", text(15)[: len(text(15)) // 2])
    store.add(far, "x")
    store.add(close, "x")
    (found,) = store.candidates([fp("new", text(15))])["new"]
    assert found.id == "close"


# --- the evaluation -----------------------------------------------------------------------


def _raw(n: int) -> RawRecord:
    return RawRecord(
        location=f"t#{n}", id=f"s{n}", title=f"Story {n}", body=text(100 + n, 400),
        source="Wire", published_at="2005-03-01T08:00:00", language="en",
    )  # fmt: skip


def test_edits_are_deterministic_and_the_evaluation_scores_them() -> None:
    rng_a, rng_b = random.Random(1), random.Random(1)
    assert edited(_raw(0), "combined", rng_a, 3) == edited(_raw(0), "combined", rng_b, 3)
    rng = random.Random(2)
    items = []
    for n in range(6):
        original = _raw(n)
        items.append(Labelled(original, original.id or "", "original"))
        kind = ("headline", "boilerplate", "cut_ending", "rewritten_lead", "combined")[n % 5]
        items.append(Labelled(edited(original, kind, rng, n), original.id or "", kind))
    items.append(Labelled(follow_up(_raw(20), _raw(0), rng), "follow", "follow_up"))
    scores = evaluate(LabelledSet(items))
    assert (scores["precision"], scores["recall"]) == (1.0, 1.0)
    assert scores["pairs"]["true"] == 6


def test_the_evaluation_skips_cleanly_without_the_corpora(tmp_path: Path) -> None:
    assert run_duplicates_eval(tmp_path) is None


@pytest.mark.parametrize("kind", ["headline", "boilerplate", "cut_ending", "rewritten_lead"])
def test_each_edit_changes_what_it_says(kind: str) -> None:
    original = _raw(1)
    copy = edited(original, kind, random.Random(3), 0)
    assert copy.id != original.id
    assert copy.source != original.source
    assert (copy.title != original.title) == (kind == "headline")
    assert (copy.body != original.body) == (kind != "headline")


@pytest.mark.corpus
def test_the_labelled_set_from_the_real_corpora_meets_the_targets() -> None:
    """The README's figures: pairwise precision at least 0.98, recall at least 0.90."""
    folder = corpus("bbc_news.ndjson.gz").parent
    corpus("reuters21578.ndjson.gz")
    report = run_duplicates_eval(folder, seed=1)
    assert report is not None
    assert report["precision"] >= 0.98
    assert report["recall"] >= 0.90
    assert report["pairs"]["true"] > 700
