"""Named entities: the model call, name normalisation, the archive-wide registry of identities."""
