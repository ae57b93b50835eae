"""What the tests and the benchmarks share, outside the shipped package: real Jupyter processes
(`harness.jupyter`), the browser they are driven with, and the cached demo stores
(`harness.demo_stores`).

It sits at the top of the repository, beside `tests/` and `benchmarks/`, because both import it:
pytest puts the repository root on `sys.path` (`pythonpath = ["."]` in pyproject.toml) and the
benchmarks run from there (`python -m benchmarks.scale`). The wheel ships only `jupyter_mfns`.
"""
