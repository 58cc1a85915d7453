"""The journalists' pages: search, article, entity. Each calls `search.query.service`, the
same functions behind the /v1 API, so a page and the API never disagree."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import NotFoundError, TransportError

from search.api import errors
from search.api.deps import ClientDep, ReadAccess, SettingsDep
from search.api.errors import Problem
from search.api.params import MAX_QUERY_CHARS, SearchParams, query_model
from search.models import Entity
from search.query import identities, service
from search.query.cursor import InvalidCursor
from search.query.request import InvalidRequestError
from search.query.results import SearchResponse
from search.query.syntax import QuerySyntaxError
from search.web import charts
from search.web.render import MARKED_TYPES, MENTION_STYLES, marked_paragraphs, safe_url
from search.web.sessions import editor_session
from search.web.templating import STATIC_DIR, templates
from search.web.urls import PageState, entity_href, filter_href

log = logging.getLogger(__name__)
EntityFacet = Literal["person", "agency", "location", "country", "source"]
RELATED_ARTICLES = 8
ENTITY_TYPES = ("person", "agency", "location")


def _validation_detail(exc: RequestValidationError) -> str:
    first: dict[str, Any] = next(iter(exc.errors()), {})
    where = [str(p) for p in first.get("loc", ()) if p not in ("query", "path")]
    message = str(first.get("msg", "invalid value"))
    return f"{'.'.join(where)}: {message}" if where else message


def _problem_for(exc: Exception) -> Problem | None:
    """The API's words for what went wrong, so the page says the same as the JSON would."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, RequestValidationError):
        return Problem(400, "Invalid parameter", _validation_detail(exc))
    if isinstance(exc, service.ArticleNotFound):
        return Problem(404, "Article not found", f"No article has the id '{exc.article_id}'.")
    if isinstance(exc, service.EntityNotFound):
        return Problem(404, "Not found", f"No article mentions the {exc.facet} '{exc.name}'.")
    if isinstance(exc, OSConnectionError):
        return errors.unavailable(exc)
    if isinstance(exc, NotFoundError):
        return Problem(503, "Index missing", "The article index does not exist yet.")
    if isinstance(exc, TransportError):
        return errors.from_transport_error(exc)
    return None


def error_page(request: Request, problem: Problem) -> Response:
    """An HTML answer to a failed page; on the search page, the form stays usable."""
    context: dict[str, Any] = {"title": problem.title, "detail": problem.detail}
    if request.url.path == "/":
        q = request.query_params.get("q", "")[:MAX_QUERY_CHARS]
        context |= _search_context(PageState(SearchParams(q=q)), None, problem.detail, None)
        name = "search.html"
    else:
        name = "error.html"
    return templates.TemplateResponse(
        request, name, context, status_code=problem.status, headers=problem.headers
    )


class PageRoute(APIRoute):
    """A route that answers errors with a page, where the API's handlers would send JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            given = request.query_params.multi_items()
            kept = [(name, value) for name, value in given if value.strip()]
            if len(kept) < len(given):
                # Blank form fields (an emptied date box) mean "not given": drop them from the
                # permalink rather than reject them.
                target = f"{request.url.path}?{urlencode(kept)}" if kept else request.url.path
                return RedirectResponse(target, status_code=303)
            try:
                return await handler(request)
            except Exception as exc:
                problem = _problem_for(exc)
                if problem is None:
                    raise
                return error_page(request, problem)

        return page_handler


router = APIRouter(route_class=PageRoute, dependencies=[ReadAccess], include_in_schema=False)


def _search_context(
    state: PageState,
    result: SearchResponse | None,
    error: str | None,
    error_position: int | None,
) -> dict[str, Any]:
    histogram = result.histogram.get("published_at") if result else None
    bars = charts.bars(histogram.buckets, histogram.interval) if histogram else []
    return {
        "state": state,
        "params": state.params,
        "result": result,
        "error": error,
        "error_position": error_position,
        "bars": [(bar, state.dates_href(bar.start, bar.end)) for bar in bars],
        "interval": histogram.interval if histogram else "",
    }


@router.get("/", response_class=HTMLResponse)
async def search_page(
    request: Request,
    params: Annotated[SearchParams, Depends(query_model(SearchParams, ignore_unknown=True))],
    client: ClientDep,
    settings: SettingsDep,
) -> Response:
    """The search page: query box, facets, date histogram, results; all of it in the URL."""
    state = PageState(params)
    error: str | None = None
    position: int | None = None
    result: SearchResponse | None = None
    try:
        result = await service.search(client, settings.index, params.to_request())
    except QuerySyntaxError as exc:
        error, position = exc.message, exc.position
    except (InvalidRequestError, InvalidCursor) as exc:
        error = exc.message
    except Problem as exc:
        if exc.status != 400:
            raise
        error = exc.detail
    context = _search_context(state, result, error, position)
    return templates.TemplateResponse(
        request, "search.html", context, status_code=400 if error else 200
    )


def _entities_by_type(entities: list[Entity]) -> dict[str, list[Entity]]:
    """Marked entity types, most-mentioned first."""
    grouped: dict[str, list[Entity]] = {kind: [] for kind in MARKED_TYPES}
    for entity in entities:
        if entity.type in grouped:
            grouped[entity.type].append(entity)
    for rows in grouped.values():
        rows.sort(key=lambda e: (-len(e.mentions), e.name))
    return grouped


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)
async def article_page(
    request: Request, article_id: str, client: ClientDep, settings: SettingsDep
) -> Response:
    """One article: clean text with its people, agencies and places marked; related articles."""
    article = await service.get_article(client, settings.index, article_id)
    shown = [e for e in article.entities if not e.blocked]
    related_note: str | None = None
    try:
        related = await service.related(client, settings.index, article, size=RELATED_ARTICLES)
    except TransportError:
        log.warning("related articles failed for %s", article_id, exc_info=True)
        related, related_note = [], "Related articles could not be found just now."
    context = {
        "article": article,
        "paragraphs": marked_paragraphs(article.body, shown),
        "entities": _entities_by_type(shown),
        "marked_types": MARKED_TYPES,
        "mention_styles": MENTION_STYLES,
        "original_url": safe_url(article.url),
        "related": related,
        "related_note": related_note,
    }
    return templates.TemplateResponse(request, "article.html", context)


@router.get("/entities/{facet}/{name:path}", response_class=HTMLResponse)
async def entity_page(
    request: Request,
    facet: Annotated[EntityFacet, Path()],
    name: Annotated[str, Path(max_length=300)],
    client: ClientDep,
    settings: SettingsDep,
) -> Response:
    """A person, agency, place, country or source over time, and who appears alongside it.

    A name the registry files under another (a merged short form, an old name) redirects to
    the canonical page; a signed-in editor also gets the correction forms."""
    page = await service.entity_page(client, settings.index, facet, name)
    if page.id is not None and (page.name != name or page.facet != facet):
        return RedirectResponse(entity_href(page.facet, page.name), status_code=303)
    facet = page.facet  # type: ignore[assignment]
    timeline = charts.bars(page.by_month, "month")
    timeline_links = [filter_href(facet, page.name, bar.start, bar.end) for bar in timeline]
    context = {
        "page": page,
        "facet": facet,
        "timeline": list(zip(timeline, timeline_links, strict=True)),
        "search_href": filter_href(facet, page.name),
        "editor": editor_session(request, settings) if page.id else None,
        "candidates": [
            await identities.get_entity(client, settings.index, c) for c in page.candidates
        ],
        "entity_types": ENTITY_TYPES,
    }
    return templates.TemplateResponse(request, "entity.html", context)


def install(app: FastAPI) -> None:
    """Serve the pages at the site root, the editors' pages, and the assets from /static."""
    from search.web import editor  # it builds on this module's PageRoute

    app.include_router(router)
    app.include_router(editor.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
