"""Benchmarks: `make bench`. Figures are printed, never asserted in the test suite."""
