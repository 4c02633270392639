"""The tree has no undefined names, unused imports or syntax errors (ruff's pyflakes rules).
F811 is left out: pytest fixtures imported into a module are redefined as parameters by design."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_pyflakes_finds_nothing():
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "F,E9", "--ignore", "F811",
                          "newswire", "tests", "bench"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
