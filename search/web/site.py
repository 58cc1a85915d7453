"""The journalists' site: the pages, the editors' pages, and their assets."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from search.web import editor, following, routes
from search.web.templating import STATIC_DIR


def install(app: FastAPI) -> None:
    """Serve the pages at the site root, the editors' pages, and the assets from /static."""
    app.include_router(routes.router)
    app.include_router(editor.router)
    app.include_router(following.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
