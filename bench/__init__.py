"""The benchmark harness: parley as shipped vs its fast paths off vs a raw Starlette limit (reports only)."""
