"""Accessibility in the browser: axe-core (npm, pinned in package-lock.json, installed by
scripts/test) run inside Debian's Chromium on a Playwright page.

``assert_accessible(page)`` checks the page as it is now against WCAG 2.2 A/AA and axe's
best practices, and fails with every violation spelled out (rule, impact, the elements, the fix)."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page, *, exclude: list[str] | None = None) -> list[dict]:
    assert AXE.is_file(), f"{AXE} is missing: scripts/test installs it (npm ci)"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    context = {"exclude": [[s] for s in exclude]} if exclude else "document"
    result = page.evaluate(
        "([context, tags]) => axe.run(context === 'document' ? document : context,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", [context, TAGS])
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_accessible(page, *, exclude: list[str] | None = None) -> None:
    violations = axe_violations(page, exclude=exclude)
    assert not violations, f"axe-core found {len(violations)} problem(s) on {page.url}:\n{describe(violations)}"
