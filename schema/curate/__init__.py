"""Curation tools: anchor, add-source, lint, the outside-knowledge check, coverage."""
