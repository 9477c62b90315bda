"""Assistance background jobs (autodiscovered by fupin.jobs): printing a village's manuals."""

from . import manual_jobs  # noqa: F401 — registers its handler
