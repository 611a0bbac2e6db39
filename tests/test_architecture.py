"""The layering of docs/architecture.md, checked on the source: feeds -> compiled data
(timetable, streets, places, realtime) -> router -> planner -> service / scenarios.

Every ``import`` of every module (also those inside functions) is read with ``ast``.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "maas"
COMPILED = ("timetable", "streets", "places", "realtime")


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG.parent).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        yield name, path


def _imports(path: Path, name: str):
    """(imported module, imported names) for each import statement of a module."""
    tree = ast.parse(path.read_text(), str(path))
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, ()
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([mod] if mod else []))
            yield mod, tuple(a.name for a in node.names)


def _layer(mod: str) -> str | None:
    parts = mod.split(".")
    if parts[0] != "maas":
        return None
    return parts[1] if len(parts) > 1 else "maas"


ALL = list(_modules())


def test_the_package_has_the_layers_of_the_design():
    layers = {_layer(n) for n, _ in ALL}
    assert {"feeds", "timetable", "streets", "places", "router", "planner", "service", "scenarios"} <= layers


@pytest.mark.parametrize("name,path", ALL, ids=[n for n, _ in ALL])
def test_dependencies_run_one_way(name, path):
    me = _layer(name)
    for mod, _ in _imports(path, name):
        other = _layer(mod)
        if other is None or other == me:
            continue
        if me == "feeds":
            assert other == "errors", f"{name} imports {mod}: feeds import nothing of ours but maas.errors"
        if me == "router":
            pytest.fail(f"{name} imports {mod}: router kernels take arrays only (numpy/numba)")
        if me in COMPILED:
            assert other not in ("planner", "service", "scenarios", "router"), \
                f"{name} imports {mod}: compiled data never depends on the router, planner, service or scenarios"
        if me == "planner":
            assert other not in ("service", "scenarios"), f"{name} imports {mod}: the planner serves them, not the reverse"
        if me == "scenarios":
            assert other != "service", f"{name} imports {mod}"


@pytest.mark.parametrize("name,path", ALL, ids=[n for n, _ in ALL])
def test_no_module_reaches_into_another_modules_private_names(name, path):
    for mod, names in _imports(path, name):
        if not mod.startswith("maas") or mod == name:
            continue
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        assert not private, f"{name} imports private {private} from {mod}"
