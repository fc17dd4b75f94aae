"""Benchmarks: nianbao measured against a peer in the same run (``nianbao bench``).

Not tests: nothing here asserts a time. ``bench.runner`` discovers the benchmarks and prints
one table; ``docs/benchmarks.md`` explains each figure and keeps the latest numbers.
"""
