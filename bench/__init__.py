"""The benchmark harness: parley as shipped vs a stock-strawberry peer vs raw Starlette (reports only)."""
