"""The benchmark runner of issue 11: each figure beside its floor or peer, as a ratio, in one run.

``python -m benchmarks`` (from the repository root; not installed) prints the
table and, with ``--json PATH``, writes it; ``--quick`` is CI's smoke run
(small sizes, never fails on a ratio). Subjects and their floors or peers are
measured interleaved, round by round, and each figure keeps its best round:
the machine is shared, so only ratios taken in one run mean anything.
"""
