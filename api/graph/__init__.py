"""The GraphQL schema: one module per entity (type, filter, order), relay, search, meta, context."""
