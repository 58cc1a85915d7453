"""Malformed and adversarial input, through the real pipeline (real NER) into a real node.

Each hostile record is either dead-lettered with a reason or indexed safely (and searchable
without breaking the API), and the good records ingested beside it in the same run are all
indexed. Small hostile files live in tests/fixtures/hostile/; big ones are generated here.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch

from search.app import create_app
from search.ingest.pipeline import IngestSummary
from search.ingest.run import ingest_paths
from search.settings import Settings
from tests.conftest import FIXTURES, drop_everything

pytestmark = pytest.mark.integration

HOSTILE = FIXTURES / "hostile"
PROBLEM_JSON = "application/problem+json"
GOOD = [
    {
        "id": "good-orchard",
        "title": "Orchard harvest starts early",
        "language": "en",
        "body": "Farmers in the valley began picking apples on Monday, two weeks earlier than "
        "usual after a warm and dry summer.",
    },
    {
        "id": "good-museum",
        "title": "Museum lends its oldest map",
        "language": "en",
        "body": "The city museum lent its oldest printed map to a gallery in the capital, where "
        "it will hang in a climate-controlled case until the autumn.",
    },
    {
        "id": "good-choir",
        "title": "Choir wins regional contest",
        "language": "en",
        "body": "The school choir won the regional contest on Saturday with a programme of folk "
        "songs arranged by its music teacher.",
    },
]
GOOD_IDS = {record["id"] for record in GOOD}
# Text that is never allowed in a stored body: markup, script source, event handlers, URLs.
SCRIPT_TRACES = ("<script", "</script", "window.__xss", "onerror", "onload", "javascript:", "<")


@dataclass
class Run:
    summary: IngestSummary
    dead: list[dict[str, str]]
    docs: dict[str, dict[str, Any]]
    seconds: float


def _ingest_with_good_records(
    settings: Settings, client: OpenSearch, tmp_path: Path, hostile: list[Path]
) -> Run:
    """One run over the hostile files and a file of good records; the good ones must all land."""
    good = tmp_path / "good.ndjson"
    good.write_text("".join(json.dumps(record) + "\n" for record in GOOD), encoding="utf-8")
    dead = tmp_path / "dead.ndjson"
    started = time.monotonic()
    summary = ingest_paths(settings, [*hostile, good], dead_letter=dead)
    seconds = time.monotonic() - started
    found = client.search(index=settings.index, body={"size": 1000, "query": {"match_all": {}}})
    docs = {hit["_id"]: hit["_source"] for hit in found["hits"]["hits"]}
    entries = []
    if dead.exists():
        entries = [json.loads(line) for line in dead.read_text(encoding="utf-8").splitlines()]
    assert set(docs) >= GOOD_IDS, f"good records lost: {GOOD_IDS - set(docs)}; dead: {entries}"
    return Run(summary, entries, docs, seconds)


def _ids_matching(client: OpenSearch, index: str, words: str) -> set[str]:
    query = {"query": {"match": {"body": {"query": words, "operator": "and"}}}}
    return {hit["_id"] for hit in client.search(index=index, body=query)["hits"]["hits"]}


@pytest.fixture
def api_over_test_index(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_lines_that_are_not_utf8_are_dead_lettered_with_the_offending_byte(
    settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    source = HOSTILE / "invalid_utf8.ndjson"
    run = _ingest_with_good_records(settings, os_client, tmp_path, [source])

    assert {e["location"] for e in run.dead} == {f"{source}:{n}" for n in (2, 3, 4, 6, 7)}
    assert all("not valid UTF-8 (byte 0x" in e["reason"] for e in run.dead)
    assert set(run.docs) == GOOD_IDS | {"utf8-good-1", "utf8-good-2"}


def test_lone_surrogate_escapes_are_replaced_and_the_run_goes_on(
    settings: Settings, os_client: OpenSearch, tmp_path: Path, api_over_test_index: TestClient
) -> None:
    """`"\\ud83d"` is valid JSON but no text: it used to end the whole run with a
    UnicodeEncodeError when the content hash was computed."""
    run = _ingest_with_good_records(
        settings, os_client, tmp_path, [HOSTILE / "lone_surrogates.ndjson"]
    )

    assert run.dead == []
    assert run.summary.warnings == {"lone_surrogates_replaced": 2}
    assert run.docs["surrogate-emoji-cut"]["title"] == "Harbour festival \ufffd"
    assert run.docs["surrogate-low-\ufffd"]["byline"] == ["Ann \ufffd Borg"]
    assert "surrogate-low-\ufffd" in _ids_matching(os_client, settings.index, "lighthouse keeper")
    shown = api_over_test_index.get("/v1/search", params={"q": "harbour festival"})
    assert shown.status_code == 200
    assert [hit["id"] for hit in shown.json()["hits"]] == ["surrogate-emoji-cut"]


def test_a_file_name_that_is_not_utf8_is_reported_not_fatal(
    settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    """Such a name decodes to lone surrogates; the dead letter for it used to be unwritable."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    raw_folder = os.fsencode(folder)
    with open(os.path.join(raw_folder, b"notes-\xff.unknown"), "wb") as handle:
        handle.write(b"not an article format")
    with open(os.path.join(raw_folder, b"story-\xfe.txt"), "wb") as handle:
        handle.write(b"Bakery wins award\n\nThe corner bakery won a national award for its rye.\n")

    run = _ingest_with_good_records(settings, os_client, tmp_path, [folder])

    assert [e["kind"] for e in run.dead] == ["unreadable"]
    assert run.dead[0]["location"].endswith("notes-\ufffd.unknown")
    assert any(doc["title"] == "Bakery wins award" for doc in run.docs.values())


def test_invisible_and_right_to_left_characters_are_kept_and_the_article_found_by_its_words(
    settings: Settings, os_client: OpenSearch, tmp_path: Path, api_over_test_index: TestClient
) -> None:
    source = HOSTILE / "zero_width_rtl.ndjson"
    original = json.loads(source.read_text(encoding="utf-8").splitlines()[1])
    run = _ingest_with_good_records(settings, os_client, tmp_path, [source])

    stored = run.docs["invisible-1"]
    assert stored["title"] == original["title"]
    assert stored["body"] == original["body"]  # nothing silently dropped or reordered
    assert _ids_matching(os_client, settings.index, "Marsaxlokk quay delegation") == {"invisible-1"}
    for q in (
        "Marsaxlokk",
        "Marsaxlokk\u200b quay",
        "\u202eMarsaxlokk\u202c",
        "\u05e9\u05dc\u05d5\u05dd",
    ):
        answer = api_over_test_index.get("/v1/search", params={"q": q})
        assert answer.status_code == 200, answer.text
    found = api_over_test_index.get("/v1/search", params={"q": "Marsaxlokk\u200b quay"}).json()
    assert [hit["id"] for hit in found["hits"]] == ["invisible-1"]
    assert api_over_test_index.get("/v1/articles/invisible-1").status_code == 200


@pytest.mark.parametrize("word", ["ceasefire", "harbour", "\u05e9\u05dc\u05d5\u05dd"])
def test_words_written_with_invisible_characters_inside_are_found_by_their_plain_spelling(
    settings: Settings, os_client: OpenSearch, tmp_path: Path, word: str
) -> None:
    _ingest_with_good_records(settings, os_client, tmp_path, [HOSTILE / "zero_width_rtl.ndjson"])
    assert _ids_matching(os_client, settings.index, word) == {"invisible-1"}


def test_scripts_in_html_pages_and_feeds_never_reach_the_stored_body(
    settings: Settings, os_client: OpenSearch, tmp_path: Path, api_over_test_index: TestClient
) -> None:
    run = _ingest_with_good_records(
        settings,
        os_client,
        tmp_path,
        [HOSTILE / "script_page.html", HOSTILE / "script_feed.xml"],
    )

    assert run.dead == []
    hostile = [doc for doc in run.docs.values() if "Ellbridge" in doc["body"]]
    assert len(hostile) == 2
    for doc in hostile:
        assert not [trace for trace in SCRIPT_TRACES if trace in doc["body"]], doc["body"]
    assert any("four thousand donated books" in doc["body"] for doc in hostile)
    assert any("railings in March" in doc["body"] for doc in hostile)
    # A feed title may carry markup as text; the API's HTML fields escape it.
    shown = api_over_test_index.get("/v1/search", params={"q": "scriptcanary"})
    assert shown.status_code == 200
    hits = shown.json()["hits"]
    assert len(hits) == 2
    for hit in hits:
        markup = hit["title_html"] + "".join(hit["snippets"])
        assert markup.replace("<mark>", "").replace("</mark>", "").count("<") == 0, markup


def test_entity_expansion_bombs_are_refused_or_left_unexpanded(
    settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    feeds = ["billion_laughs.xml", "quadratic_blowup.xml", "external_entity.xml"]
    run = _ingest_with_good_records(
        settings,
        os_client,
        tmp_path,
        [*(HOSTILE / name for name in feeds), HOSTILE / "billion_laughs.html"],
    )

    assert run.seconds < 60
    refused = {Path(e["location"]).name: e["reason"] for e in run.dead}
    assert set(refused) == set(feeds)
    assert all("declares its own XML entities" in reason for reason in refused.values())
    # The HTML parser does not expand DTD entities: the page's own text is indexed, no more.
    page = [d for d in run.docs.values() if "harbour of Valletta" in d["body"]]
    assert len(page) == 1
    assert len(page[0]["body"]) < 500
    assert "aaaaaaaaaa" not in json.dumps(list(run.docs.values()))


_STEMS = [
    *("Al", "Ber", "Cor", "Dar", "El", "Fen", "Gal", "Hol", "Ir", "Jor", "Kal", "Lor"),
    *("Mar", "Nor", "Or", "Per", "Quin", "Ros", "Sal", "Tor", "Ul", "Val", "Wes", "Yor"),
]


def _names(count: int) -> list[str]:
    """`count` distinct capitalised person-like names (up to 24,192), in a fixed random order."""
    given = [a + b for a in _STEMS for b in ("ana", "bert", "cia", "dor", "ena", "fried", "gor")]
    family = [a + b for a in _STEMS for b in ("berg", "castle", "dale", "field", "holm", "ridge")]
    names = [f"{g} {f}" for g, f in itertools.product(given, family)][:count]
    random.Random(7).shuffle(names)
    return names


def test_an_article_naming_ten_thousand_people_is_indexed_in_reasonable_time(
    settings: Settings, os_client: OpenSearch, tmp_path: Path, api_over_test_index: TestClient
) -> None:
    names = _names(10_000)
    assert len(set(names)) == 10_000
    sentences = [
        "Among those who signed the open letter were "
        + ", ".join(names[i : i + 9])
        + " and "
        + names[i + 9]
        + "."
        for i in range(0, len(names), 10)
    ]
    record = {"id": "ten-thousand", "title": "An open letter", "body": "\n".join(sentences)}
    source = tmp_path / "names.ndjson"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")

    run = _ingest_with_good_records(settings, os_client, tmp_path, [source])

    assert run.seconds < 120, f"took {run.seconds:.0f}s"
    doc = run.docs["ten-thousand"]
    assert doc["entities_status"] == "extracted"
    assert len(doc["persons"]) > 5000
    person = doc["persons"][0]
    found = api_over_test_index.get("/v1/search", params={"q": f'"{person}"', "facet_size": 100})
    assert found.status_code == 200
    assert [hit["id"] for hit in found.json()["hits"]] == ["ten-thousand"]
    assert len(found.json()["facets"]["person"]) <= 100
    assert api_over_test_index.get("/v1/articles/ten-thousand").status_code == 200


def test_five_megabyte_single_lines_are_dead_lettered_as_too_large(
    settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    words = "word " * (5 * 1024 * 1024 // 5)
    ndjson = tmp_path / "big.ndjson"
    ndjson.write_text(
        json.dumps({"id": "big-before", "title": "Before", "body": "The bridge reopened."})
        + "\n"
        + json.dumps({"id": "big", "title": "Big", "body": words})
        + "\n"
        + "x" * (5 * 1024 * 1024)
        + "\n"
        + json.dumps({"id": "big-after", "title": "After", "body": "The tunnel closed."})
        + "\n",
        encoding="utf-8",
    )
    text = tmp_path / "one_line.txt"
    text.write_text(words.strip(), encoding="utf-8")

    run = _ingest_with_good_records(settings, os_client, tmp_path, [ndjson, text])

    by_location = {e["location"]: e for e in run.dead}
    assert set(by_location) == {f"{ndjson}:2", f"{ndjson}:3", str(text)}
    assert by_location[f"{ndjson}:2"]["kind"] == "body_too_large"
    assert by_location[str(text)]["kind"] == "body_too_large"
    assert "not valid JSON" in by_location[f"{ndjson}:3"]["reason"]
    assert all(len(e["excerpt"]) <= 2001 for e in run.dead)
    assert {"big-before", "big-after"} <= set(run.docs)
    assert "big" not in run.docs


def test_deeply_nested_json_is_dead_lettered_not_a_crash(
    settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    depth = 100_000
    source = tmp_path / "deep.ndjson"
    source.write_text(
        "[" * depth
        + "]" * depth
        + "\n"
        + '{"a":' * depth
        + "1"
        + "}" * depth
        + "\n"
        + json.dumps({"id": "shallow", "title": "Shallow", "body": "The ferry left on time."})
        + "\n"
        + '{"id": "deep-body", "title": "Deep", "body": '
        + "[" * depth
        + "]" * depth
        + "}\n",
        encoding="utf-8",
    )
    page = tmp_path / "deep.html"
    paragraph = "<p>The harbour of Valletta reopened on Tuesday after a storm closed it.</p>"
    page.write_text(
        f"<html><body><article>{paragraph}{'<div>' * depth}deep{'</div>' * depth}"
        "</article></body></html>",
        encoding="utf-8",
    )

    run = _ingest_with_good_records(settings, os_client, tmp_path, [source, page])

    assert {e["location"] for e in run.dead} == {f"{source}:{n}" for n in (1, 2, 4)}
    assert all("nests JSON too deeply" in e["reason"] for e in run.dead)
    assert "shallow" in run.docs
    assert any("harbour of Valletta" in doc["body"] for doc in run.docs.values())


def _crawl() -> bytes:
    return gzip.decompress((FIXTURES / "crawl.warc.gz").read_bytes())


def _last_record_start(warc: bytes) -> int:
    return warc.rindex(b"WARC/1.0\r\n")


@pytest.mark.parametrize(
    ("name", "cut"),
    [
        # gzip per record: the last member is cut short.
        ("cut.warc.gz", lambda: (FIXTURES / "crawl.warc.gz").read_bytes()[:-300]),
        # plain WARC: the last record's payload ends before its Content-Length.
        ("cut-payload.warc", lambda: _crawl()[:-400]),
        # plain WARC: the file ends inside the last record's header.
        ("cut-header.warc", lambda: _crawl()[: _last_record_start(_crawl()) + 40]),
    ],
)
def test_a_truncated_warc_record_is_dead_lettered_and_the_complete_ones_indexed(
    settings: Settings, os_client: OpenSearch, tmp_path: Path, name: str, cut: Any
) -> None:
    crawl = tmp_path / name
    crawl.write_bytes(cut())

    run = _ingest_with_good_records(settings, os_client, tmp_path, [crawl])

    assert len(run.dead) == 1
    assert run.dead[0]["location"] == f"{crawl}#7"
    assert "truncated" in run.dead[0]["reason"]
    titles = {doc["title"] for doc in run.docs.values()}
    assert "SpaceX Crew Dragon capsule docks with International Space Station" in titles
    assert "Iranian cargo plane crashes into Karaj houses" not in titles


@pytest.fixture(scope="module")
def small_api(
    node_settings: Settings, os_client: OpenSearch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The API over a few good articles, for queries that must never make it answer 5xx."""
    alias = f"test-hostile-q-{uuid.uuid4().hex[:8]}"
    settings = node_settings.model_copy(update={"index": alias})
    folder = tmp_path_factory.mktemp("hostile-queries")
    source = folder / "good.ndjson"
    source.write_text("".join(json.dumps(r) + "\n" for r in GOOD), encoding="utf-8")
    try:
        ingest_paths(settings, [source], dead_letter=folder / "dead.ndjson")
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            yield client
    finally:
        drop_everything(os_client, alias)


HOSTILE_QUERIES: dict[str, tuple[str, int | None]] = {
    # name: (query string after "/v1/search?", the status it must get; None: 200 or any 4xx)
    "q over 1000 characters": ("q=" + "a" * 1001, 400),
    "q of 1000 opening parentheses": ("q=" + "(" * 1000, 400),
    "q with control characters": ("q=orchard%00%01%1b%5b31m%7f", None),
    "q with invalid utf-8": ("q=%ff%fe%ed%a0%80", None),
    "q in several scripts and emoji": ("q=" + "Київ%20北京%20🇺🇦%20مرحبا", None),
    "q with bidi overrides": ("q=%E2%80%AEorchard%E2%80%AC", None),
    "q of 200 terms": ("q=" + "%20OR%20".join(["apple"] * 200), None),
    "q with an unclosed quote": ('q="orchard', 400),
    "q of only a wildcard": ("q=*", None),
    "q with a huge proximity": ('q="apple%20harvest"~999999999', None),
    "50 person facet values": ("&".join(f"person=Person%20{n}" for n in range(50)), None),
    "a 40k character facet value": ("person=" + "x" * 40_000, None),
    "size=0": ("size=0", 400),
    "page=-1": ("page=-1", 400),
    "page past the result window": ("page=1000&size=100", 400),
    "an unknown parameter": ("flavour=vanilla", 400),
    "a date that is not one": ("date_from=yesterday-ish", 400),
    "a forged cursor": ("cursor=eyJ4IjoxfQ", 400),
}


@pytest.mark.parametrize("name", list(HOSTILE_QUERIES))
def test_hostile_queries_get_a_problem_or_results_never_a_server_error(
    small_api: TestClient, name: str
) -> None:
    query, expected = HOSTILE_QUERIES[name]
    answer = small_api.get(f"/v1/search?{query}")
    if expected is not None:
        assert answer.status_code == expected, answer.text
    assert answer.status_code < 500, answer.text
    if answer.status_code == 200:
        assert "hits" in answer.json()
    else:
        assert answer.headers["content-type"].startswith(PROBLEM_JSON)
        assert answer.json()["status"] == answer.status_code


def test_a_search_body_nested_100k_deep_is_a_400_not_a_crash(small_api: TestClient) -> None:
    answer = small_api.post(
        "/v1/search",
        content=b"[" * 100_000 + b"]" * 100_000,
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith(PROBLEM_JSON)
