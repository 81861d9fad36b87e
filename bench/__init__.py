"""Performance benchmarks (run with `make bench`; see docs/performance.md)."""
