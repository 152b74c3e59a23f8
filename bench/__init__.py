"""Benchmarks for generic mode (not tests: run with `python -m bench`, never collected by pytest).

Scores generic mode against trafilatura (default and favor_precision) and readability-lxml on the
shared public datasets and on the project's own fixture articles, and times every system in the
same run. See README.md, "Generic mode and benchmarks".
"""
