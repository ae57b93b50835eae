#!/usr/bin/env bash
# Set up (first time) and start JupyterLab with jupyter_mfns.
#   scripts/lab.sh            your own Metaflow configuration when you have one, else the demo store
#   scripts/lab.sh --demo     always the demo store (anne and will's runs, built once)
# Extra arguments go to `jupyter lab` (e.g. --port 8899).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC1091
source "$ROOT/scripts/setup.sh" lab

USE_DEMO=0
if [ "${1:-}" = "--demo" ]; then USE_DEMO=1; shift; fi
has_own_metaflow() {
  [ -n "${METAFLOW_DEFAULT_METADATA:-}${METAFLOW_DATASTORE_SYSROOT_LOCAL:-}${METAFLOW_PROFILE:-}" ] && return 0
  ls "${METAFLOW_HOME:-$HOME/.metaflowconfig}"/config*.json >/dev/null 2>&1 && return 0
  d="$PWD"; while [ "$d" != "/" ]; do [ -d "$d/.metaflow" ] && return 0; d="$(dirname "$d")"; done
  return 1
}
if [ "$USE_DEMO" = 1 ] || ! has_own_metaflow; then
  STORE="${MFNS_DEMO_STORE:-$ROOT/.demo-store}"
  say "demo Metaflow store in $STORE (real runs by anne and will; built once)"
  python -m jupyter_mfns.demo "$STORE"
  export METAFLOW_DEFAULT_METADATA=local METAFLOW_DEFAULT_DATASTORE=local
  export METAFLOW_DATASTORE_SYSROOT_LOCAL="$STORE"
  export METAFLOW_HOME="$STORE/.metaflowconfig"
  export METAFLOW_USER="${MFNS_DEMO_USER:-anne}"
  unset METAFLOW_PRODUCTION_TOKEN
else
  say "using your Metaflow configuration"
fi
if [ -z "${METAFLOW_USER:-}" ] && [ "$(id -un)" = "root" ]; then
  export METAFLOW_USER=anne  # Metaflow refuses to name the user "root"
fi

ARGS=(--ServerApp.root_dir="$ROOT/notebooks")
[ "$(id -u)" = "0" ] && ARGS+=(--allow-root)
say "starting JupyterLab (Ctrl+C to stop)"
exec jupyter lab "${ARGS[@]}" "$@"
