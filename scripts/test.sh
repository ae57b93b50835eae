#!/usr/bin/env bash
# Set up (first time) and run every check and test: lint, types, core/server/kernel/service
# tests, then the end-to-end tests in a real JupyterLab driven by Debian chromium.
# Extra arguments go to every pytest invocation (e.g. -x, -k name).
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
# Metaflow refuses the user "root"; tests set their own users, this is the default one.
export METAFLOW_USER="${METAFLOW_USER:-anne}"

cd "$ROOT"
say "lint and types"
ruff check jupyter_mfns tests benchmarks
ruff format --check jupyter_mfns tests benchmarks
mypy
(cd labextension && npm run --silent lint && npm test --silent)

say "tests (core, server, kernel, service, scale)"
python -m pytest tests --ignore=tests/e2e -m "not e2e" -q "$@"
# Browser tests in their own process: pytest-jupyter's asyncio fixtures and Playwright's sync
# API do not share an event loop well.
say "end-to-end tests (JupyterLab + chromium)"
python -m pytest tests/e2e tests/kernel tests/service -m e2e -q "$@"
say "all checks passed"
