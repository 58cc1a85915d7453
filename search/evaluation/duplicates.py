"""Near-duplicate clusters measured: pairwise precision and recall on the labelled set of
`duplicate_set`.

`evaluate` runs the set through the ingest's own steps: `prepare` (cleaning, boilerplate),
fingerprints, and batches clustered by `cluster_batch` against a `MemoryStore` that answers as
the index does. Truth and prediction are compared pair by pair; `sweep` varies each parameter
alone, the measurements behind the defaults.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Final

from search.duplicates.batches import MemoryStore, cluster_batch
from search.duplicates.clusters import DEFAULT_RULE, CopyRule, Fingerprint, fingerprint, pairs
from search.duplicates.minhash import DEFAULT_LSH, LshParams
from search.duplicates.shingles import SHINGLE_WORDS
from search.evaluation.duplicate_set import CORPORA, Labelled, LabelledSet, build_set
from search.ingest.prepare import Defaults, Prepared, prepare


@dataclass(frozen=True)
class Settings:
    """What a run of the evaluation varies: the parameters the README's figures were tuned on."""

    shingle_words: int = SHINGLE_WORDS
    lsh: LshParams = DEFAULT_LSH
    rule: CopyRule = DEFAULT_RULE
    batch: int = 256


def _prepared(items: Sequence[Labelled]) -> list[tuple[Labelled, Prepared]]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for item in items:
        outcome = prepare(item.record, Defaults(), max_body_bytes=5_000_000, now=now)
        if isinstance(outcome, Prepared):
            out.append((item, outcome))
    return out


def evaluate(labelled: LabelledSet, settings: Settings | None = None) -> dict[str, Any]:
    """Pairwise precision and recall of the clusters the ingest's steps make of the set."""
    run = settings or Settings()
    prepared = _prepared(labelled.items)
    started = time.perf_counter()
    prints: list[Fingerprint] = [
        fingerprint(
            p.article.id,
            p.article.content_hash,
            p.article.body,
            params=run.lsh,
            shingle_words=run.shingle_words,
        )
        for _, p in prepared
    ]
    fingerprint_s = time.perf_counter() - started
    store = MemoryStore()
    candidates = 0
    started = time.perf_counter()
    stream = iter(prints)
    while batch := list(islice(stream, run.batch)):
        candidates += sum(len(found) for found in store.candidates(batch).values())
        decision = cluster_batch(store, batch, rule=run.rule)
        for article in batch:
            store.add(article, decision.labels[article.id])
    cluster_s = time.perf_counter() - started
    ids = {p.article.id: item for item, p in prepared}
    truth: dict[str, list[str]] = defaultdict(list)
    for article_id, item in ids.items():
        truth[item.truth].append(article_id)
    return _scores(
        truth_pairs=pairs(truth.values()),
        predicted=pairs(store.clusters().values()),
        kinds={i: item.kind for i, item in ids.items()},
        extra={
            "articles": len(prepared),
            "kinds": dict(Counter(item.kind for item, _ in prepared)),
            "candidates_per_article": round(candidates / max(len(prepared), 1), 3),
            "fingerprint_ms_per_article": round(1e3 * fingerprint_s / max(len(prepared), 1), 3),
            "cluster_ms_per_article": round(1e3 * cluster_s / max(len(prepared), 1), 3),
            "parameters": _parameters(run),
        },
    )


def _parameters(run: Settings) -> dict[str, Any]:
    return {
        "shingle_words": run.shingle_words,
        "permutations": run.lsh.permutations,
        "bands": run.lsh.bands,
        "rows": run.lsh.rows,
        "lsh_threshold": round(run.lsh.threshold, 3),
        "copy_jaccard": run.rule.jaccard,
        "copy_containment": run.rule.containment,
        "min_shingles": run.rule.min_shingles,
        "short_text_jaccard": run.rule.short_jaccard,
    }


def _scores(
    *,
    truth_pairs: set[tuple[str, str]],
    predicted: set[tuple[str, str]],
    kinds: dict[str, str],
    extra: dict[str, Any],
) -> dict[str, Any]:
    found = truth_pairs & predicted
    precision = len(found) / len(predicted) if predicted else 1.0
    recall = len(found) / len(truth_pairs) if truth_pairs else 1.0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a, b in truth_pairs:
        kind = kinds[b] if kinds[a] in {"original", "exact_copy"} else kinds[a]
        by_kind[kind][1] += 1
        by_kind[kind][0] += (a, b) in predicted
    wrong = sorted(predicted - truth_pairs)
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if found else 0.0,
        "pairs": {"true": len(truth_pairs), "predicted": len(predicted), "correct": len(found)},
        "recall_by_edit": {k: round(v[0] / v[1], 4) for k, v in sorted(by_kind.items()) if v[1]},
        "false_pairs": [[a, b, kinds[a], kinds[b]] for a, b in wrong[:20]],
        **extra,
    }


SWEEP_SHINGLE_WORDS: Final = (3, 4, 5)
SWEEP_LSH: Final = (LshParams(16, 4), LshParams(24, 3), LshParams(16, 2), LshParams(48, 2))
SWEEP_JACCARD: Final = (0.4, 0.6)
SWEEP_CONTAINMENT: Final = (0.7, 0.9, 1.01)  # 1.01: the containment rule off
SWEEP_MIN_SHINGLES: Final = (0, 20, 80)  # 0: the short-text rule off


def sweep(labelled: LabelledSet, base: Settings | None = None) -> list[dict[str, Any]]:
    """Each parameter varied alone around `base`: the measurements behind the defaults."""
    start = base or Settings()
    rule = start.rule
    runs = [("default", start)]
    runs += [(f"shingle_words={w}", replace(start, shingle_words=w)) for w in SWEEP_SHINGLE_WORDS]
    runs += [(f"bands={p.bands}x{p.rows}", replace(start, lsh=p)) for p in SWEEP_LSH]
    runs += [(f"jaccard={j}", replace(start, rule=replace(rule, jaccard=j))) for j in SWEEP_JACCARD]
    runs += [
        (f"containment={c}", replace(start, rule=replace(rule, containment=c)))
        for c in SWEEP_CONTAINMENT
    ]
    runs += [
        (f"min_shingles={m}", replace(start, rule=replace(rule, min_shingles=m)))
        for m in SWEEP_MIN_SHINGLES
    ]
    rows = []
    for name, settings in runs:
        scores = evaluate(labelled, settings)
        rows.append(
            {
                "run": name,
                "precision": scores["precision"],
                "recall": scores["recall"],
                "candidates_per_article": scores["candidates_per_article"],
                "ms_per_article": round(
                    scores["fingerprint_ms_per_article"] + scores["cluster_ms_per_article"], 3
                ),
                "recall_by_edit": scores["recall_by_edit"],
            }
        )
    return rows


def run_duplicates_eval(
    corpora: Path, *, seed: int = 1, tune: bool = False
) -> dict[str, Any] | None:
    """The report `newsroom eval duplicates` prints, or None when the corpora are absent."""
    if not all((corpora / name).exists() for name in CORPORA):
        return None
    labelled = build_set(corpora, seed=seed)
    report = {"seed": seed, "set": labelled.counts(), **evaluate(labelled)}
    if tune:
        report["sweep"] = sweep(labelled)
    return report
