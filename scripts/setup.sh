#!/usr/bin/env bash
# Set up a development environment in .venv: Python package (editable) with its prebuilt
# JupyterLab extension. Usage: scripts/setup.sh [lab|test]   (sourced by lab.sh and test.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXTRA="${1:-lab}"

say() { printf '\033[1;34m[jupyter_mfns]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[jupyter_mfns]\033[0m %s\n' "$*" >&2; exit 1; }

PYTHON="${PYTHON:-$(command -v python3 || command -v python || true)}"
[ -n "$PYTHON" ] || die "Python 3.10+ is required (python3 not found)."
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || die "Python 3.10+ is required."
command -v node >/dev/null && command -v npm >/dev/null \
  || die "Node.js 18+ and npm are required to build the JupyterLab extension."

VENV="${MFNS_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"

STAMP="$VENV/.mfns-installed-$EXTRA"
SOURCES=$(cat pyproject.toml labextension/package.json labextension/package-lock.json | sha256sum | cut -c1-16)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$SOURCES" ]; then
  say "installing Python dependencies ($EXTRA)"
  python -m pip install --quiet --upgrade pip
  python -m pip install --quiet -e ".[$EXTRA]"
  echo "$SOURCES" > "$STAMP"
fi

# Rebuild the labextension when its TypeScript changed since the last build
# (hatch's skip-if-exists keeps a stale bundle otherwise).
BUNDLE="$ROOT/jupyter_mfns/labextension/package.json"
if [ ! -f "$BUNDLE" ] || [ -n "$(find labextension/src labextension/style labextension/schema labextension/package.json -newer "$BUNDLE" -print -quit)" ]; then
  say "building the JupyterLab extension"
  (cd labextension && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build:prod)
fi
# Point Jupyter at the bundle in this checkout (what an editable install needs).
jupyter labextension develop --overwrite . >/dev/null 2>&1 || true
say "environment ready: $VENV"
