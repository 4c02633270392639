"""The shape of the code, as docs/architecture.md and the README describe it: the import-linter
contracts hold, the documented layer table is the contracts' order and each package's real
imports, no module import cycle, no function-local import of a newswire module, and the few rules
that must live in one place do."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "newswire"
ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*`newswire/([a-z_]+)(?:/|\.py)`\s*\|.*\|\s*([^|]*?)\s*\|\s*$")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("newswire", exclude_type_checking_imports=True)


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def documented() -> dict[str, tuple[int, set[str]]]:
    """package → (layer, depends on) from docs/architecture.md's table."""
    out = {}
    for line in (ROOT / "docs" / "architecture.md").read_text().splitlines():
        if m := ROW.match(line):
            deps = {d.strip() for d in m.group(3).split(",") if d.strip() not in ("", "—")}
            out[m.group(2)] = (int(m.group(1)), deps)
    return out


def top_level_packages() -> set[str]:
    return {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
            if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem != "__init__")}


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_documented_layers_are_the_contracts_layers():
    layers = next(c for c in contracts() if c["id"] == "layers")["layers"]
    expected = [sorted(x.strip().removeprefix("newswire.") for x in layer.split("|")) for layer in layers]
    table = documented()
    by_layer: dict[int, list[str]] = {}
    for pkg, (layer, _) in table.items():
        by_layer.setdefault(layer, []).append(pkg)
    assert [sorted(by_layer[k]) for k in sorted(by_layer)] == expected
    assert set(table) == top_level_packages(), "every top-level package has its row, and only those"


def test_each_row_of_the_layers_table_has_its_four_cells():
    """A merge that glues two versions of a row together leaves extra cells; the reader then
    cannot tell which "depends on" is true."""
    rows = [line for line in (ROOT / "docs" / "architecture.md").read_text().splitlines() if ROW.match(line)]
    assert rows
    for line in rows:
        cells = line.strip().strip("|").split(" | ")
        assert len(cells) == 4, f"{len(cells)} cells, not 4: {line[:120]}…"


def test_each_documented_dependency_is_what_the_package_imports(graph):
    for pkg, (_, deps) in documented().items():
        name = f"newswire.{pkg}"
        modules = {name} | (graph.find_descendants(name) if (PACKAGE / pkg).is_dir() else set())
        imported = {m.split(".")[1] for mod in modules for m in graph.find_modules_directly_imported_by(mod)
                    if m.startswith("newswire.") and m.split(".")[1] != pkg}
        assert imported == deps, f"docs/architecture.md says {pkg} depends on {sorted(deps)}; it imports {sorted(imported)}"


def test_no_module_import_cycle(graph):
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = iter(range(10**6))

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = next(counter)
        stack.append(v)
        on_stack.add(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in graph.modules:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                on_stack.discard(w)
                component.append(w)
            on_stack.discard(v)
            if component:
                cycles.append(sorted([v, *component]))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    assert cycles == []


def test_no_function_local_import_of_a_newswire_module():
    """A local import is how a cycle hides; third-party libraries loaded on first use are fine."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                local = (isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").startswith("newswire"))
                         or isinstance(node, ast.Import) and any(a.name.startswith("newswire") for a in node.names))
                if local:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_the_readme_layout_names_every_package():
    text = (ROOT / "README.md").read_text()
    layout = text.split("## Layout", 1)[1]
    named = set(re.findall(r"`newswire/([a-z_]+)(?:/|\.py)`", layout))
    assert named == top_level_packages()


def test_nothing_but_the_settings_loader_reads_the_environment():
    readers = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
               if re.search(r"os\.environ|os\.getenv|getenv\(|envvar=", p.read_text())]
    assert readers == ["newswire/config.py"]


def test_segment_ids_are_the_translation_memorys_keys():
    """An editor names a segment by the id the desk shows; the pipeline finds the editor's text by
    the memory key's hash: the two must be the same function of the source."""
    from newswire.domain.text import segment_id
    from newswire.translation import memory

    for source in ("Acme unveils the Rocket Skate 3000.", "Über <b>Globex</b>", "로켓 스케이트"):
        assert memory.key(source, "en", "es", "apertium").source_hash == segment_id(source)
