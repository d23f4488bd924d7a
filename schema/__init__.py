"""Pure data layer: pydantic models, the fixture loader and in-memory indexes (no GraphQL, no HTTP)."""
