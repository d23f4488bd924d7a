"""The SQLite snapshot: how it is built and how it is read."""
