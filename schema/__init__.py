"""Pure data layer: models and catalogue, loader and checks, curation, published files, the SQLite store."""
