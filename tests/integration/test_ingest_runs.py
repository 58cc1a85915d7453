"""Ingest runs off the request path and on the record, against a real node: a thousand
articles answered 202 at once and indexed in the background, each run listed with its counts,
a body over the limit a 413 problem, a full queue a 429, the CLI's runs recorded too."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch
from pydantic import SecretStr

from search import cli
from search.app import create_app
from search.settings import Settings
from tests.conftest import ROOT

pytestmark = pytest.mark.integration
KEY = "runs-test-key"
HEADERS = {"X-API-Key": KEY}
SAMPLE = ROOT / "samples" / "wikinews-en.ndjson"


def _lead(body: str) -> str:
    """An article's first paragraph of prose (some open with a chart's key, which is furniture)."""
    paragraphs = body.split("\n\n")
    return next(p for p in paragraphs if len(p.split()) >= 8 and p.rstrip()[-1:] in '.!?"”')


def _articles(n: int) -> list[dict[str, Any]]:
    """N articles: the sample's opening paragraphs, each under an id of its own."""
    sample = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    return [
        {
            "id": f"wire-{i}",
            "source": "Wire",
            "title": sample[i % len(sample)]["title"],
            "body": _lead(sample[i % len(sample)]["body"]) + f" (item {i})",
            "published_at": sample[i % len(sample)].get("published_at"),
        }
        for i in range(n)
    ]


@pytest.fixture
def keyed(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"api_keys": [SecretStr(KEY)], "rate_limit_per_minute": 100_000}
    )


@pytest.fixture
def api(keyed: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(keyed), raise_server_exceptions=False) as client:
        yield client


def _until_ended(api: TestClient, href: str, timeout_s: float = 600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run: dict[str, Any] = api.get(href, headers=HEADERS).json()
        if run["status"] in ("done", "failed"):
            return run
        time.sleep(0.5)
    raise AssertionError(f"the run at {href} did not end")


def test_a_thousand_articles_are_accepted_at_once_and_indexed_in_the_background(
    api: TestClient, keyed: Settings, os_client: OpenSearch
) -> None:
    answer = api.post("/v1/articles", json=_articles(1000), headers=HEADERS)
    assert answer.status_code == 202, answer.text
    accepted = answer.json()
    href = answer.headers["location"]
    assert href == f"/v1/ingest/runs/{accepted['id']}"
    assert accepted["status"] == "queued"
    assert accepted["origin"] == "api"
    # a thousand articles take the model seconds: the answer came before the work
    assert api.get(href, headers=HEADERS).json()["status"] in ("queued", "running")
    run = _until_ended(api, href)
    assert run["status"] == "done", run
    assert (run["read"], run["indexed"], run["rejected"]) == (1000, 1000, 0)
    assert run["started_at"] >= run["submitted_at"]
    assert run["finished_at"] >= run["started_at"]
    os_client.indices.refresh(index=keyed.index)
    assert os_client.count(index=keyed.index)["count"] == 1000
    listed = api.get("/v1/ingest/runs", headers=HEADERS)
    assert listed.status_code == 200
    assert listed.json()[0]["id"] == accepted["id"]
    # a single small article is still indexed while the request waits
    one = api.post("/v1/articles", json=_articles(1001)[-1], headers=HEADERS)
    assert one.status_code == 200, one.text
    assert one.json()["indexed"] == 1


def test_runs_need_a_key_and_an_unknown_run_is_404(api: TestClient) -> None:
    assert api.get("/v1/ingest/runs").status_code == 401
    missing = api.get("/v1/ingest/runs/no-such-run", headers=HEADERS)
    assert missing.status_code == 404
    assert "no-such-run" in missing.json()["detail"]


def test_a_body_over_the_limit_is_a_413_that_says_how_to_fix_it(keyed: Settings) -> None:
    small = keyed.model_copy(update={"max_request_bytes": 10_000})
    body = json.dumps(_articles(40)).encode()
    assert len(body) > 10_000
    with TestClient(create_app(small), raise_server_exceptions=False) as api:
        declared = api.post(
            "/v1/articles",
            content=body,
            headers={**HEADERS, "Content-Type": "application/json"},
        )

        def chunks() -> Iterator[bytes]:  # no Content-Length: the stream is counted
            for start in range(0, len(body), 4096):
                yield body[start : start + 4096]

        streamed = api.post(
            "/v1/articles",
            content=chunks(),
            headers={**HEADERS, "Content-Type": "application/json"},
        )
    for answer in (declared, streamed):
        assert answer.status_code == 413, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert "NEWSROOM_MAX_REQUEST_BYTES" in answer.json()["detail"]


def test_a_full_queue_is_a_429_with_retry_after(keyed: Settings) -> None:
    full = keyed.model_copy(update={"ingest_queue_size": 0})
    with TestClient(create_app(full), raise_server_exceptions=False) as api:
        answer = api.post("/v1/articles", json=_articles(2), headers=HEADERS)
    assert answer.status_code == 429, answer.text
    assert answer.headers["retry-after"] == "60"
    assert "retry" in answer.json()["detail"]


def test_a_cli_run_is_recorded_with_its_counts(
    api: TestClient,
    keyed: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = tmp_path / "archive.ndjson"
    lines = [json.dumps(a) for a in _articles(5)] + ["{broken"]
    archive.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("NEWSROOM_INDEX", keyed.index)
    monkeypatch.setenv("NEWSROOM_OPENSEARCH_URL", keyed.opensearch_url)
    monkeypatch.setenv("NEWSROOM_DEAD_LETTER_DIR", str(tmp_path))
    assert cli.main(["ingest", str(archive), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    run = api.get(f"/v1/ingest/runs/{printed['run_id']}", headers=HEADERS).json()
    assert (run["origin"], run["status"], run["source"]) == ("cli", "done", str(archive))
    assert (run["read"], run["indexed"], run["rejected"]) == (6, 5, 1)
    assert run["rejected_by_reason"] == printed["rejected_by_reason"]
    assert Path(run["dead_letter"]).exists()
