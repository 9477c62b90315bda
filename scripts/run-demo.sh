#!/usr/bin/env bash
# Set up fupin on this machine and serve the demo county on SQLite at http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
pip install --quiet --upgrade pip
pip install --quiet -e .
fupin migrate --no-input
# Demo data only on an empty database, so a restart keeps what users entered.
if [ "$(fupin shell --no-imports -c 'from fupin.registry.models import Household; print(Household.objects.exists())')" = "False" ]; then
  fupin demo "$@"
fi
exec fupin serve "${FUPIN_ADDR:-127.0.0.1:8000}"
