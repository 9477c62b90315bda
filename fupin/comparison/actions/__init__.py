"""Comparison actions, one module per subject: kinds and rules, column mappings, data sets, runs, suspects, counts.

Pages, the API, the CLI and the background jobs are thin callers of these functions. Each checks the acting user's
role and scope (``acting_user=None`` is the system itself: the CLI and nightly jobs; see ``access.py``), validates,
writes in one transaction, and records the change in the audit log.
"""
