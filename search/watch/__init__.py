"""Live feeds watched: the feeds to poll, kept in OpenSearch, fetched with bounds and
conditional requests, their new items sent through the ingest pipeline."""
