"""Strawberry object types, one module per group of entities, each wrapping its pydantic record."""
