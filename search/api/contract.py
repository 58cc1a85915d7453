"""The OpenAPI document as a contract: every status an operation can answer is declared, with
its problem+json body, and nothing it cannot (FastAPI's 422 never happens here: validation
errors are 400 problems).

Which statuses an operation can answer follows from what it uses, so the rules below cover
routes added later too: parameters or a body (400), a key check (401, 403), a path parameter
(404), OpenSearch (502, 503) and the time limit (504) but for reading a query, and the rate
limit (429, all but health).
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from search.http.errors import PROBLEM

#: Schema keywords that make a path parameter refusable (a 400 rather than a 404).
_CONSTRAINTS: Final = frozenset({"enum", "maxLength", "minLength", "pattern", "const"})
#: Paths the rate limit lets through (security.GuardMiddleware).
UNLIMITED: Final = frozenset({"/v1/health"})
#: Paths answered without asking OpenSearch or waiting (reading a query needs only the parser).
NO_BACKEND: Final = frozenset({"/v1/query/explain"})

DESCRIPTIONS: Final = {
    400: "Invalid parameter, query, cursor or body; `parameter` names what to fix.",
    401: "A key is needed in X-API-Key, and the one given (if any) is not valid.",
    403: "The service has no API keys configured, so this needs a key nobody has.",
    404: "Nothing has that id or name.",
    413: "Too many articles in one request, or a body over the size limit.",
    429: "Rate limit, the cap of open cursors and exports, or a full ingest queue; see "
    "Retry-After.",
    502: "OpenSearch refused the request for a reason of its own.",
    503: "OpenSearch is unreachable, overloaded or has no index yet; see Retry-After.",
    504: "The request took longer than the service allows.",
}

PROBLEM_SCHEMA: Final = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "parameter": {"type": "string", "description": "The parameter to fix."},
        "position": {"type": "integer", "description": "Character of `q` at fault."},
    },
    "additionalProperties": True,
}


def statuses(path: str, operation: dict[str, Any]) -> set[int]:
    """The problem statuses an operation can answer, read from what it takes."""
    parameters = operation.get("parameters", [])
    where = {parameter["in"] for parameter in parameters}
    found = set() if path in NO_BACKEND else {504}  # a parse is over before any time limit
    constrained = any(
        p["in"] == "path" and set(p.get("schema", {})) & _CONSTRAINTS for p in parameters
    )
    if "requestBody" in operation or "query" in where or constrained:
        found.add(400)
    if any(p["in"] == "header" and p["name"].lower() == "x-api-key" for p in parameters):
        found |= {401, 403}  # the key dependencies declare the header
    if "path" in where:
        found.add(404)
    if path not in UNLIMITED:
        found.add(429)
    if path not in UNLIMITED | NO_BACKEND:
        found |= {502, 503}  # every operation but these asks OpenSearch
    return found | {int(status) for status in operation["responses"] if int(status) >= 400}


def _problem(status: int, declared: dict[str, Any]) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    description = declared.get("description") or DESCRIPTIONS[status]
    if status in DESCRIPTIONS and description != DESCRIPTIONS[status]:
        description = f"{description} {DESCRIPTIONS[status]}"
    return {**declared, "description": description, "content": {PROBLEM: {"schema": schema}}}


def document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, built once."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation["responses"]
            responses.pop("422", None)
            for status in sorted(statuses(path, operation)):
                if status == 503 and path in UNLIMITED:
                    continue  # health answers 503 with its own body, declared by the route
                responses[str(status)] = _problem(status, responses.get(str(status), {}))
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    components["Problem"] = PROBLEM_SCHEMA
    app.openapi_schema = schema
    return schema


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        return document(app)

    app.openapi = openapi  # type: ignore[method-assign]
