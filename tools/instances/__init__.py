"""Make instance folders: the seeded tender generator and fully synthetic instances.

Not packaged with allocatie: used by scripts/build_instances.py, the benchmarks and the tests.
"""
