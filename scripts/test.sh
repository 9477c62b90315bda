#!/usr/bin/env bash
# Install everything the tests need on a fresh machine and run the whole suite on SQLite and PostgreSQL.
# PostgreSQL: FUPIN_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/fupin). With CI=true a missing
# PostgreSQL server is a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# Chinese in the browser tests' pages (screenshots); PDFs embed the font shipped in fupin/core/static/fupin/fonts.
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need_apt+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

python3 -m venv .venv
. .venv/bin/activate
pip install --quiet --upgrade pip
pip install --quiet -e '.[test]'

echo "== lint: ruff, import layers (docs/architecture.md) =="
ruff check .
lint-imports

export DJANGO_ALLOW_ASYNC_UNSAFE=true
echo "== SQLite =="
env -u FUPIN_DATABASE_URL pytest "$@"

PG_URL="${FUPIN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/fupin}"
if python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then
  echo "== PostgreSQL =="
  FUPIN_DATABASE_URL="$PG_URL" pytest "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required in CI" >&2
  exit 1
else
  echo "!! PostgreSQL not reachable: skipped the PostgreSQL run (set CI=true to make this a failure)" >&2
fi
