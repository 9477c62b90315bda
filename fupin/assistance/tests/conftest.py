from fupin.monitoring.tests.conftest import household, lines  # noqa: F401 — households with accounts, lines
