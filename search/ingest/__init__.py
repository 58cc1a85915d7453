"""Ingest: turn files, feeds and archives into clean, language-tagged records for the index."""
