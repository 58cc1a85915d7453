"""Newsroom Search: full-text and faceted search over news archives."""

__version__ = "0.1.0"
