"""/docs is Swagger UI served by the app itself: every asset from this origin (works with the
network cut), under the same Content-Security-Policy as the other pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from search.app import create_app
from search.http.security import CONTENT_SECURITY_POLICY
from search.settings import Settings


def test_docs_loads_only_its_own_assets_under_the_site_policy() -> None:
    client = TestClient(create_app(Settings(opensearch_url="http://127.0.0.1:9")))
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "<script>" not in page.text  # no inline code
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(assets) >= 4
    for asset in assets:
        assert asset.startswith("/"), asset  # this origin, no CDN
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    start = client.get("/docs/start.js").text
    assert "/v1/openapi.json" in start
    assert "validatorUrl: null" in start
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in bundle.text
    assert client.get("/redoc").status_code == 404
