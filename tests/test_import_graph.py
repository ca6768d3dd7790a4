"""The packages depend one way: interfaces → domain → storage, nothing back, no cycle, and no import hidden
inside a function to dodge one.

Every module under bot/ and storage/ is read with `ast` (imports at module level and inside functions alike),
each import of a project module is mapped to its package, and every arrow must point to a lower layer.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The allowed graph, lowest layer first: a package may import itself and anything in a lower layer, nothing
#: in its own layer or above.
#:   storage ← bot.domain ← {settings, limits, metrics, demo, charts} ← {bot.api, bot.slack, bot.jobs, bot.app}
#:           ← {bot.web, bot.console} ← bot.runner ← bot.cli
LAYERS: list[set[str]] = [
    {"storage"},  # tables, sessions, migrations
    {"bot.domain"},  # every rule; knows only storage
    {"bot.config", "bot.limits", "bot.metrics", "bot.demo", "bot.charts"},  # settings, HTTP limits, figures, demo
    # data, charts drawn as PNG (bot.charts: counts and words in, pixels out, for Slack and any page alike)
    {"bot.logs"},  # log lines as configured, the request each belongs to, secrets removed
    {"bot.api", "bot.slack", "bot.jobs", "bot.app", "bot.status"},  # the interfaces (status: the page), the runtime
    {"bot.web", "bot.console"},  # the HTTP app around bot.api; the terminal built on bot.slack
    {"bot.runner"},  # the composition root of `maintbot run`: Slack, HTTP API and jobs wired together
    {"bot.cli"},  # the `maintbot` command
]

#: Function-local imports of project modules allowed inside bot/, each with its reason. None may dodge a cycle:
#: they are checked against LAYERS like any other import.
ALLOWED_LOCAL: dict[tuple[str, str], str] = {
    ("bot.cli", "bot.runner"): "`maintbot run` alone loads Bolt, FastAPI and uvicorn; other commands start faster",
    ("bot.cli", "bot.console.main"): "`maintbot console` alone loads Bolt and the stand-in",
}


@dataclass(frozen=True)
class Edge:
    source: str  # module
    target: str  # module imported
    line: int
    local: bool  # inside a function

    def __str__(self) -> str:
        where = "function-local import" if self.local else "import"
        return f"{self.source} → {self.target} ({where} at {self.source.replace('.', '/')}.py:{self.line})"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str, root: Path) -> bool:
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def package_of(module: str) -> str:
    """`bot.slack.cards` → `bot.slack`; top-level modules of bot (`bot.cli`) and all of storage are their own."""
    parts = module.split(".")
    if parts[0] == "storage":
        return "storage"
    return ".".join(parts[:2])


def imports(path: Path, root: Path = ROOT) -> list[Edge]:
    source = module_name(path, root)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    edges: list[Edge] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from bot.slack import cards` imports the module bot.slack.cards; `from bot.x import name`, bot.x.
                targets = [f"{base}.{alias.name}" if is_module(f"{base}.{alias.name}", root) else base
                           for alias in child.names]
            else:
                targets = []
            for target in targets:
                if target.split(".")[0] in ("bot", "storage"):
                    edges.append(Edge(source, target, child.lineno, local))
            visit(child, local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

    visit(ast.parse(path.read_text(), str(path)), False)
    return edges


def all_edges() -> list[Edge]:
    paths = sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("storage/**/*.py")])
    return [edge for path in paths for edge in imports(path)]


def layer(package: str) -> int:
    for rank, packages in enumerate(LAYERS):
        if package in packages:
            return rank
    raise AssertionError(f"{package} is in no layer: add it to LAYERS in {Path(__file__).name}")


def test_every_package_has_a_layer():
    packages = {package_of(edge.source) for edge in all_edges()} | {package_of(e.target) for e in all_edges()}
    for package in packages:
        layer(package)


def test_every_import_points_to_a_lower_layer():
    wrong = [
        f"{edge}: {package_of(edge.source)} (layer {layer(package_of(edge.source))}) may not import "
        f"{package_of(edge.target)} (layer {layer(package_of(edge.target))})"
        for edge in all_edges()
        if package_of(edge.source) != package_of(edge.target)
        and layer(package_of(edge.target)) >= layer(package_of(edge.source))
    ]
    assert not wrong, "arrows against the layers:\n" + "\n".join(wrong)


def assert_acyclic(graph: dict[str, set[str]], what: str) -> None:
    path: list[str] = []
    done: set[str] = set()

    def walk(package: str) -> None:
        if package in path:
            cycle = [*path[path.index(package):], package]
            raise AssertionError(f"{what} import each other: " + " → ".join(cycle))
        if package in done:
            return
        path.append(package)
        for target in sorted(graph.get(package, ())):
            walk(target)
        path.pop()
        done.add(package)

    for package in sorted(graph):
        walk(package)


def test_the_packages_form_no_cycle():
    graph: dict[str, set[str]] = {}
    for edge in all_edges():
        source, target = package_of(edge.source), package_of(edge.target)
        if source != target:
            graph.setdefault(source, set()).add(target)
    assert_acyclic(graph, "packages")


def test_the_modules_form_no_cycle():
    """Inside a package too (bot.slack.commands ⇄ bot.slack.outbox was one)."""
    graph: dict[str, set[str]] = {}
    for edge in all_edges():
        if edge.source != edge.target:
            graph.setdefault(edge.source, set()).add(edge.target)
    assert_acyclic(graph, "modules")


def test_no_function_local_imports_of_project_modules():
    hidden = [
        str(edge) for edge in all_edges()
        if edge.local and edge.source.startswith("bot") and (edge.source, edge.target) not in ALLOWED_LOCAL
    ]
    assert not hidden, "import these at module level (or list them, with the reason, in ALLOWED_LOCAL):\n" + (
        "\n".join(hidden)
    )


def test_the_domain_imports_no_interface_and_no_settings():
    forbidden = {"bot.config", "bot.slack", "bot.api", "bot.jobs", "bot.console", "bot.web", "bot.runner", "bot.cli"}
    wrong = [str(edge) for edge in all_edges() if edge.source.startswith("bot.domain")
             and package_of(edge.target) in forbidden]
    assert not wrong, "the domain imports an interface or the settings:\n" + "\n".join(wrong)


def test_the_checker_sees_what_it_must_refuse(tmp_path):
    """The walk finds imports inside functions and relative ones: an arrow back cannot hide there."""
    module = tmp_path / "bot" / "domain" / "sneaky.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "from . import rules\n\ndef later():\n    from bot.slack import cards\n    import bot.jobs.tick\n"
    )
    (module.parent / "rules.py").write_text("")
    found = {(edge.target, edge.local) for edge in imports(module, tmp_path)}
    assert found == {("bot.domain.rules", False), ("bot.slack", True), ("bot.jobs.tick", True)}
    assert layer(package_of("bot.slack")) > layer(package_of("bot.domain"))
