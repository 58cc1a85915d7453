"""The collections' vocabulary: what the API takes and answers, its bounds, and its errors."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from pydantic import BaseModel, Field, field_validator

MAX_NAME_CHARS: Final = 120
MAX_ARTICLES: Final = 1000
MAX_PER_OWNER: Final = 200
MAX_ID_CHARS: Final = 300


class CollectionError(Exception):
    """What the caller asked cannot be done; `status`, `title` and `parameter` say how to say it."""

    status = 400
    title = "Invalid collection"

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class CollectionNotFound(CollectionError):
    status = 404
    title = "Not found"


class CollectionFull(CollectionError):
    status = 409
    title = "Collection full"


class CollectionNameTaken(CollectionError):
    status = 409
    title = "Name taken"


class TooManyCollections(CollectionError):
    status = 409
    title = "Too many collections"


class CollectionIn(BaseModel):
    """A list to make, or a new name for one."""

    name: str = Field(
        ...,
        min_length=1,
        max_length=MAX_NAME_CHARS,
        description=f"What the journalist calls it: 1 to {MAX_NAME_CHARS} characters.",
    )

    @field_validator("name")
    @classmethod
    def _one_line(cls, name: str) -> str:
        cleaned = " ".join(name.split())
        if not cleaned:
            raise ValueError("give the list a name that is not only spaces")
        return cleaned


class ArticleRef(BaseModel):
    article_id: str = Field(
        ..., min_length=1, max_length=MAX_ID_CHARS, description="The article's `id`."
    )


class CollectionSummary(BaseModel):
    """A list without its articles."""

    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    article_count: int = Field(description=f"Articles in it, at most {MAX_ARTICLES}.")


class CollectedArticle(BaseModel):
    """An article in a list, with what the export would show of it."""

    id: str
    added_at: datetime
    missing: bool = Field(False, description="No longer in the archive (taken down).")
    title: str = ""
    source: str | None = None
    url: str | None = None
    published_at: datetime | None = None


class Collection(CollectionSummary):
    articles: list[CollectedArticle] = Field(description="In the order they were added.")
