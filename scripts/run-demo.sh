#!/usr/bin/env bash
# Set up fupin on this machine and serve the demo county on SQLite at http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
pip install --quiet --upgrade pip
pip install --quiet -e .
# Demo mode: the demo accounts keep their published password (docs/identity.md). Not for a real county.
export FUPIN_DEMO_MODE="${FUPIN_DEMO_MODE:-1}"
fupin migrate --no-input
# Demo data only on an empty database, so a restart keeps what users entered.
if [ "$(fupin shell --no-imports -c 'from fupin.registry.models import Household; print(Household.objects.exists())')" = "False" ]; then
  fupin demo "$@"
fi
# Production server (gunicorn) and a supervised background worker; Ctrl+C or SIGTERM stops both.
exec fupin serve "${FUPIN_ADDR:-127.0.0.1:8000}"
