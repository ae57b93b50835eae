"""Who the user is, as Metaflow would say, computed at call time.

Metaflow reads METAFLOW_USER once at import (a known defect); the Catalog asks these functions
instead, so a long-lived server follows the environment it is given.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional, Set

from .tags import PRODUCTION_PREFIX, USER_PREFIX


def _configured_user() -> Optional[str]:
    """METAFLOW_USER from the environment, else from the active Metaflow profile."""
    env = os.environ.get("METAFLOW_USER")
    if env:
        return env
    try:
        from metaflow.metaflow_config import USER  # profile value (read at Metaflow's import)
    except Exception:  # pragma: no cover - a broken profile must not break browsing
        return None
    return USER or None


def default_namespace() -> Optional[str]:
    """Metaflow's `default_namespace()`: production token, else `user:<name>`.

    Returns None when Metaflow could not name the user (it refuses `root`): callers then
    treat the default as the global namespace and say so.
    """
    token = os.environ.get("METAFLOW_PRODUCTION_TOKEN")
    if token:
        return f"{PRODUCTION_PREFIX}{token}"
    for user in (
        _configured_user(),
        os.environ.get("SUDO_USER"),
        os.environ.get("USERNAME"),
        os.environ.get("USER"),
    ):
        if user and user != "root":
            return f"{USER_PREFIX}{user}"
    return None


def _token_home() -> Path:
    home = os.environ.get("METAFLOW_TOKEN_HOME") or os.environ.get(
        "METAFLOW_HOME", "~/.metaflowconfig"
    )
    return Path(home).expanduser()


def held_production_tokens(max_files: int = 2000) -> Set[str]:
    """Production tokens stored in Metaflow's local token store (`~/.metaflowconfig/<prefix>`).

    Metaflow writes `{"production_token": ...}` there when this user deploys a flow, so these
    are the production namespaces the user can act in.
    """
    home = _token_home()
    tokens: Set[str] = set()
    if not home.is_dir():
        return tokens
    seen = 0
    for path in home.rglob("*"):
        seen += 1
        if seen > max_files:
            break
        if not path.is_file() or path.stat().st_size > 65536:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        token = data.get("production_token") if isinstance(data, dict) else None
        if isinstance(token, str) and token:
            tokens.add(token)
    return tokens
