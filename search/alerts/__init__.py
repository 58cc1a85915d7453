"""Saved searches and what new articles they match: stored as percolator queries, matched at
ingest once per story, read back as an Atom feed."""
