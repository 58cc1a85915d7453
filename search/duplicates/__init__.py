"""Copies and syndicated versions of one story, grouped into clusters: shingles, MinHash,
candidate lookup through band keys stored on the articles, and cluster decisions."""
