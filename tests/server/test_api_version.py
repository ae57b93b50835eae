"""One version number: the one in labextension/package.json, which the Python package takes at
build time (hatch-nodejs-version, in its PEP 440 spelling: npm's 1.2.0-beta.1 is 1.2.0b1) and
`GET status` reports."""

from __future__ import annotations

import json
from pathlib import Path

from packaging.version import Version

import jupyter_mfns

PACKAGE_JSON = Path(__file__).resolve().parents[2] / "labextension" / "package.json"


async def test_status_reports_the_version_of_package_json(api) -> None:
    # Given the version written in the labextension's package.json
    version = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))["version"]
    # When the sidebar asks the server for its status
    status = await api.ok("status")
    # Then the server, and the Python package it runs, carry that same version
    assert Version(status["version"]) == Version(version)
    assert jupyter_mfns.__version__ == status["version"]
