"""Everything that writes to or shapes the OpenSearch index."""
