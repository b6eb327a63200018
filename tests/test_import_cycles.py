"""No import cycles among the project's modules (db/, models/, workbench/, vocabulary/).

The graph is built from the source with ast and holds *every* import that runs, at module level or
inside a function: the project imports heavy libraries lazily, and a lazy import is a load-time choice,
not a licence for two modules to depend on each other (models/train.py <-> train_relatedness.py and
relatedness.py <-> student.py were such cycles, both through function-level imports, which a
module-level graph would not have seen). Imports under `if TYPE_CHECKING:` are left out: they never run
and only name types for annotations.
"""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("db", "models", "workbench", "vocabulary")


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_imports(tree: ast.AST):
    """Import nodes anywhere in the tree, except the bodies of `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules `name` imports: for `from X import y`, X.y where that is a module, else X."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = package[: len(package) - node.level + 1] if node.level else []
        source = ".".join(base + ([node.module] if node.module else []))
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            found.add(submodule if submodule in modules else source)
    return {m for m in found if m in modules and m != name}


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle (as a path that returns to its start), or None if the graph is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for start in sorted(graph):
        if start in state:
            continue
        path, iters = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while path:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(sorted(graph[nxt])))
    return None


def test_the_graph_sees_the_project_and_its_lazy_imports():
    graph = import_graph()
    assert {"db.schema", "models.training", "workbench.cli", "vocabulary"} <= set(graph)
    assert "vocabulary" in graph["db.schema"]
    assert "models.train_relatedness" in graph["models.training"]  # imported inside train_new only
    assert "workbench.export_hf" not in graph["workbench.dataset_card"]  # under TYPE_CHECKING only


def test_find_cycle_reports_a_cycle_through_a_function_level_import(tmp_path):
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    (tmp_path / "m.py").write_text("def f():\n    from .n import g\n", encoding="utf-8")
    modules = {"pkg.m": tmp_path / "m.py", "pkg.n": tmp_path / "n.py"}
    assert imported_modules("pkg.m", tmp_path / "m.py", modules) == {"pkg.n"}


def test_no_import_cycles_among_project_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_vocabulary_and_layers_depend_downwards_only():
    """vocabulary/ imports no project module; db/ and models/ never import workbench/, nor each other."""
    graph = import_graph()
    for name, deps in graph.items():
        top = name.split(".")[0]
        tops = {d.split(".")[0] for d in deps}
        if top == "vocabulary":
            assert not tops - {"vocabulary"}, (name, deps)
        if top in ("db", "models"):
            assert not tops & {"workbench", "db", "models"} - {top}, (name, deps)
