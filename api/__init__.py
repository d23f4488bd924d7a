"""GraphQL API, Starlette app and CLI over the verified dataset."""
