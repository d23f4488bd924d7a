"""The engine: preparing a request (parse, validate, limits; cached) and running it."""
