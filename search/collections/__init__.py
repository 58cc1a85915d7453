"""Collections: journalists' named lists of articles, kept to read and export later."""
