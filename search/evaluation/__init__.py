"""Measurements of the project's own quality: extraction scored against annotated corpora."""
