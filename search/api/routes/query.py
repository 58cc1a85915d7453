"""How the search reads a query: the reading the search page shows under its box."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from search.http.deps import ReadAccess
from search.http.params import MAX_QUERY_CHARS
from search.query.understood import QueryReading, read_query

router = APIRouter(tags=["search"], dependencies=[ReadAccess])


@router.get("/query/explain", response_model=QueryReading)
async def explain_query(
    q: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_CHARS,
            description="Query in the newsroom syntax, as given to `/v1/search`.",
            examples=['oil prices "central bank" -opec title:iran'],
        ),
    ] = "",
) -> QueryReading:
    """How `/v1/search` reads `q`, from the same parse: `parts` label each clause of its top
    level (`all of` the free words, or `most of` them when there are more than two; `phrase`;
    `not`; a field such as `in the title`; `any of` the alternatives of an OR), `summary` is
    the line the search page shows under its box, `sentence` says it in plain words. A query
    that cannot run is the same 400 as `/v1/search` answers, with `position`."""
    return read_query(q)
