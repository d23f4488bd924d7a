"""The ASGI middleware: the response cache, security headers and gzip."""
