"""The package's arrows point one way (docs/design.md): no import cycle between modules,
and each layer imports only the layers below it. Read from the source, imports inside
functions included, so a lazy import cannot hide an arrow that runs back up."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "rnnlab"

# layer -> the layers it may import (besides itself). Top-level modules are their own layer.
ALLOWED = {
    "errors": set(),
    "core": set(),
    "spec": {"core"},
    "config": {"errors"},
    "recipes": {"config", "errors"},
    "engines": {"core", "spec", "errors"},
    "data": {"config", "errors", "core"},
    "runs": {"errors", "config"},
    "viz": {"runs", "errors"},
    "report": {"runs", "errors"},
    "train": {"errors", "core", "spec", "config", "recipes", "engines", "data", "runs", "viz", "report"},
    "checks": {"errors", "core", "spec", "config", "engines", "train"},
    "forecast": {"errors", "core", "spec", "config", "engines", "data", "runs", "viz", "report", "train"},
    "export": {"errors", "core", "spec", "config", "engines", "runs", "train"},
    "sweeps": {"errors", "config", "runs", "train", "report"},
    "api": None,  # the top, beside cli: may import anything
    "cli": None,  # the top: may import anything
    "__init__": None,
    "__main__": None,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path, module: str, modules: set[str]) -> set[str]:
    """rnnlab modules imported anywhere in `path` (absolute or relative imports); `from
    package import submodule` imports the submodule, not what the package's __init__ holds."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("rnnlab")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.startswith("rnnlab"):
                submodules = {f"{base}.{a.name}" for a in node.names} & modules
                found |= submodules
                if len(submodules) < len(node.names):
                    found.add(base)
    return found


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: {m for m in _imports(path, name, set(modules)) if m in modules and m != name}
            for name, path in modules.items()}


def test_no_module_imports_a_layer_above_it():
    wrong = []
    for module, targets in _graph().items():
        allowed = ALLOWED.get(_layer(module), set())
        if allowed is None:
            continue
        for target in targets:
            layer = _layer(target)
            if layer != _layer(module) and layer not in allowed and target != "rnnlab":
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the layering:\n" + "\n".join(sorted(wrong))


def test_every_layer_is_known():
    assert {_layer(m) for m in _modules()} <= set(ALLOWED), "a new layer: add it to ALLOWED with its arrows"


def test_no_import_cycles():
    graph = _graph()
    seen: dict[str, int] = {}  # 1: on the stack, 2: done
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if graph.get(nxt) is None:
                continue
            if seen.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in seen:
                visit(nxt, stack + [nxt])
        seen[node] = 2

    for module in sorted(graph):
        if module not in seen:
            visit(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_an_engine_never_imports_another_engine():
    engines = {"numpy", "torch", "jax", "numba"}
    wrong = []
    for module, targets in _graph().items():
        parts = module.split(".")
        if len(parts) > 2 and parts[1] == "engines" and parts[2] in engines:
            for target in targets:
                t = target.split(".")
                if len(t) > 2 and t[1] == "engines" and t[2] in engines and t[2] != parts[2]:
                    wrong.append(f"{module} -> {target}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("layer", ["core", "engines", "runs"])
def test_lower_layers_never_read_argv(layer):
    offenders = []
    for path in (ROOT / layer).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "sys.argv" in text:
            offenders.append(f"{path.name}: sys.argv")
    assert not offenders, offenders
