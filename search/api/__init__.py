"""The HTTP API (FastAPI): versioned under /v1, errors as problem+json."""
