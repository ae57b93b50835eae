"""Benchmarks of jupyter_mfns (not part of the installed package). Run from the repository root,
e.g. ``python -m benchmarks.scale --sizes 1k,10k``."""
