"""The performance benchmark and its data generator (see README, Benchmark)."""
