"""The contract suite: one Hypothesis-driven suite, run against the fake, an endpoint, or real AWS.

``pytest contract_tests`` runs it against the in-process fake;
``--target endpoint --endpoint-url URL`` against any server speaking the
protocol; ``--target aws --aws-account ID`` against a real account, with the
live-run safety of :mod:`contract_tests.safety`. The test functions are the
same for every target: a target adapter (:mod:`contract_tests.targets`) only
makes clients, creates prerequisites and waits.
"""
