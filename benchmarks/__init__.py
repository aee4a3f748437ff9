"""Benchmarks of Time Clock on the real stack (see BENCHMARKS.md and scripts/bench)."""
