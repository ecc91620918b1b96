"""The reduced soak run (bench/soak.py): gunicorn, load, updates and rebuilds."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def test_soak_reduced():
    result = subprocess.run([sys.executable, "bench/soak.py", "--duration", "20", "--workers", "2",
                             "--clients", "3", "--articles", "200", "--update-every", "3"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "errors: 0" in result.stdout
    assert "rebuilds" in result.stdout and " 2 rebuilds" in result.stdout
