"""Reproducible performance scripts: ``python -m benchmarks.feeds`` and friends.

Every benchmark compares against a baseline measured in the same run (ratios are what count on a shared
machine), prints a human table, and with ``--json`` prints one JSON object instead. ``--smoke`` runs a tiny
size that only proves the script works (the test suite runs each one that way). See ``BENCHMARKS.md``.
"""
