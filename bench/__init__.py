"""Repeatable benchmarks; each writes its figures to bench/results/."""
