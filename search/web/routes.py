"""The journalists' pages: search, article, entity. Each calls `search.query.service`, the
same functions behind the /v1 API, so a page and the API never disagree."""

from __future__ import annotations

import logging
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from opensearchpy.exceptions import TransportError

from search.http.deps import ClientDep, LanguagesDep, ReadAccess, SettingsDep
from search.http.errors import problem_for
from search.models import Entity
from search.query import identities, reading, service
from search.query.results import SearchResponse
from search.query.syntax import QuerySyntaxError
from search.query.understood import query_reading
from search.web import charts, timelines
from search.web.collecting import collecting
from search.web.page_params import ReadParams, page_params
from search.web.page_route import PageRoute, search_context
from search.web.reading import (
    MAX_QUERY_CHARS,
    ORDER_QUERY,
    ordered_rows,
    query_of,
    safe_back,
)
from search.web.render import MARKED_TYPES, MENTION_STYLES, marked_paragraphs, safe_url
from search.web.sessions import editor_session
from search.web.spelling import did_you_mean
from search.web.templating import templates
from search.web.urls import PageState, article_href, entity_href, filter_href, href

log = logging.getLogger(__name__)
EntityFacet = Literal["person", "agency", "location", "country", "source"]
RELATED_ARTICLES = 8
#: Copies the article page lists; the count covers them all.
COPIES_LISTED = 50
ENTITY_TYPES = ("person", "agency", "location")


router = APIRouter(route_class=PageRoute, dependencies=[ReadAccess], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def search_page(
    request: Request,
    read: Annotated[ReadParams, Depends(page_params)],
    client: ClientDep,
    settings: SettingsDep,
    languages: LanguagesDep,
) -> Response:
    """The search page: query box, facets, date histogram, results; all of it in the URL."""
    params = read.params
    state = PageState(params)
    error: str | None = None
    position: int | None = None
    parameter: str | None = None
    result: SearchResponse | None = None
    try:
        # The chart is drawn from a calendar histogram of its own (timelines), which needs
        # only the span of the matches: the search's own histograms would be work thrown away.
        asked = params.to_request().model_copy(update={"histogram": False, "extent": True})
        result = await service.search(client, settings.index, asked, languages=languages)
    except Exception as exc:
        # A query the reader can fix is shown above the form they typed it in, not instead of it.
        problem = problem_for(exc)
        if problem is None or problem.status != 400:
            raise
        error, position = problem.detail, problem.extra.get("position")
        parameter = problem.parameter
    context = search_context(state, result, error, position, parameter)
    if result is not None and result.total.value:
        try:
            found = await timelines.search_timeline(client, settings.index, asked, result.published)
        except TransportError:  # the results still show, without their chart
            log.warning("calendar histogram failed", exc_info=True)
        else:
            context |= timelines.timeline_context(state, found)
    context["date_errors"] = read.date_errors
    context["follower"] = editor_session(request, settings)
    context["search_query"] = request.url.query
    if result is not None and result.hits:
        ids = [hit.id for hit in result.hits]
        context["collect"] = await collecting(request, settings, ids, href(params))
    # The way back from an article: this search as the page itself links it (no stray
    # parameters such as trackers), see search.web.reading.
    context["back_href"] = href(params)
    # How the query was read, under the box; the sentence form for a search that found nothing.
    reading = query_reading(params.q) if result is not None else None
    context["reading"] = reading
    if reading is not None and result is not None and result.total.value == 0:
        context["understood"] = reading.sentence
        context["did_you_mean"] = await did_you_mean(client, settings.index, params.q)
    failed = error or read.date_errors
    return templates.TemplateResponse(
        request, "search.html", context, status_code=400 if failed else 200
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
    """One article: clean text with its people, agencies and places marked; related articles.

    Opened from a search (`?q=...&from=/?q=...`), the query's words are marked, the header's
    box holds the query and "Back to results" leads to that same search."""
    article = await service.get_article(client, settings.index, article_id)
    shown = [e for e in article.entities if not e.blocked]
    back = safe_back(request.query_params.get("from"))
    q = (request.query_params.get("q") or query_of(back))[:MAX_QUERY_CHARS]
    try:
        marks = await reading.body_marks(client, settings.index, article.id, q, article.body)
    except (QuerySyntaxError, TransportError):
        log.info("the query's words could not be marked in %s", article_id, exc_info=True)
        marks = []
    related_note: str | None = None
    try:
        related = await service.related(client, settings.index, article, size=RELATED_ARTICLES)
        copies = await service.copies(client, settings.index, article_id, size=COPIES_LISTED)
    except TransportError:
        log.warning("related articles or copies failed for %s", article_id, exc_info=True)
        related, copies = [], None
        related_note = "Related articles could not be found just now."
    context = {
        "article": article,
        "paragraphs": marked_paragraphs(article.body, shown, marks),
        "header_q": q,
        "back_href": back,
        "marked_words": len(marks),
        "entities": _entities_by_type(shown),
        "marked_types": MARKED_TYPES,
        "mention_styles": MENTION_STYLES,
        "original_url": safe_url(article.url),
        "related": related,
        "related_note": related_note,
        "copies": copies,
        "collect": await collecting(request, settings, [article.id], _here(request, article.id)),
    }
    return templates.TemplateResponse(request, "article.html", context)


def _here(request: Request, article_id: str) -> str:
    """The article page as opened (with its search), to come back to after a form."""
    query = request.url.query
    return f"{article_href(article_id)}?{query}" if query else article_href(article_id)


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
    order = "frequent" if request.query_params.get("order") == "frequent" else "telling"
    timeline = charts.bars(page.by_month, "month")
    timeline_links = [filter_href(facet, page.name, bar.start, bar.end) for bar in timeline]
    context = {
        "page": page,
        "facet": facet,
        "timeline": list(zip(timeline, timeline_links, strict=True)),
        "search_href": filter_href(facet, page.name),
        "editor": editor_session(request, settings) if page.id else None,
        "follower": editor_session(request, settings),
        "follow_query": urlencode({str(facet): page.name}),
        "candidates": [
            await identities.get_entity(client, settings.index, c) for c in page.candidates
        ],
        "entity_types": ENTITY_TYPES,
        "order": order,
        "related_rows": {kind: ordered_rows(rows, order) for kind, rows in page.related.items()},
        "order_hrefs": {o: entity_href(facet, page.name) + ORDER_QUERY[o] for o in ORDER_QUERY},
        "timeline_ticks": charts.ticks(timeline),
    }
    return templates.TemplateResponse(request, "entity.html", context)
