"""The Nu Html Checker (npm `vnu-jar`, pinned in package-lock.json, run with Debian's Java):
``check_pages({name: html})`` validates many pages in one JVM start and returns every error."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

VNU = Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def check_pages(pages: dict[str, str]) -> list[str]:
    """Errors (and warnings the checker counts as errors) as 'page: line N: message'."""
    assert VNU.is_file(), f"{VNU} is missing: scripts/test installs it (npm ci)"
    java = shutil.which("java")
    assert java, "java is missing: scripts/test installs Debian's default-jre-headless"
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for i, (name, html) in enumerate(pages.items()):
            path = Path(tmp) / f"page{i}.html"
            path.write_text(html, encoding="utf-8")
            files[str(path)] = name
        run = subprocess.run([java, "-Xss4m", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *files],
                             capture_output=True, text=True, timeout=300)
    report = json.loads(run.stderr or "{}")
    out = []
    for message in report.get("messages", []):
        if message.get("type") == "error" or message.get("subType") == "fatal":
            url = message.get("url", "")
            page = files.get(url.removeprefix("file:").replace("///", "/"), url)
            out.append(f"{page}: line {message.get('lastLine', '?')}: {message.get('message')} "
                       f"[{message.get('extract', '').strip()[:80]}]")
    return out
