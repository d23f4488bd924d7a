"""The synthetic dataset generator (`parley synth`, the benchmarks)."""
