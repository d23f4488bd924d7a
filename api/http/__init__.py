"""The HTTP layer: the Starlette app, the GraphQL-over-HTTP transport, downloads, exports, pages."""
