"""The benchmark harness of p2pboard: `make bench` (see benchmarks/README.md)."""
