"""Soak benchmark: locust against Hearth's production shape on PostgreSQL and Redis.

Run with ``python -m bench.soak`` (``make bench-soak``); ``--check`` validates the harness
without load. See bench/README.md ("Soak (locust)").
"""
