#!/usr/bin/env bash
# Set up (first time) and run every check and test: lint, types, then one pytest session over
# tests/ (core, server, kernel, service, scale, and the browser tests in a real JupyterLab
# driven by Debian chromium).
# Extra arguments go to pytest (e.g. -x, -k name, -m "not e2e").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC1091
source "$ROOT/scripts/setup.sh" test

# A browser for the end-to-end tests: Debian's chromium (never `playwright install`).
if [ -z "${MFNS_CHROMIUM:-}" ]; then
  if [ -x /usr/bin/chromium ]; then
    export MFNS_CHROMIUM=/usr/bin/chromium
  elif command -v apt-get >/dev/null && [ "$(id -u)" = "0" ]; then
    say "installing Debian chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    export MFNS_CHROMIUM=/usr/bin/chromium
  fi
fi
# PostgreSQL for Netflix's real metaflow-service (tests/service; the fixture in
# ../shared/metaflow-service builds the service's own environment and cluster from it).
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = "0" ]; then
    say "installing PostgreSQL"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi
# Metaflow refuses the user "root"; tests set their own users, this is the default one.
export METAFLOW_USER="${METAFLOW_USER:-anne}"

cd "$ROOT"
say "lint and types"
ruff check jupyter_mfns harness tests benchmarks
ruff format --check jupyter_mfns harness tests benchmarks
mypy
(cd labextension && npm run --silent lint && npm test --silent)

say "tests (core, server, kernel, service, scale, then the browser tests: JupyterLab + chromium)"
# One session: tests/conftest.py runs the browser tests last and keeps pytest-jupyter's event
# loop out of them (Playwright's sync API runs its own loop in the same thread).
python -m pytest tests -q "$@"
say "all checks passed"
