"""Print the import graph of the integration's modules and any cycle in it.

Usage: python scripts/import_graph.py [PACKAGE_DIR]

Every import between the integration's own modules counts, those under
``if TYPE_CHECKING:`` included. Exits 1 when there is a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path
import sys

DEFAULT = Path(__file__).resolve().parents[1] / "custom_components" / "time_clock"


def module_name(package: Path, path: Path) -> str:
    """Return a module's dotted name inside the package ("api.http", "account")."""
    parts = path.relative_to(package).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "__init__"


def imports(package: Path, path: Path) -> set[str]:
    """Return the package's modules one module imports."""
    name = module_name(package, path)
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    if name == "__init__":
        here = []
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = here[: len(here) - (node.level - 1)] if node.level > 1 else list(here)
        target = [*base, *(node.module.split(".") if node.module else [])]
        for alias in node.names:
            candidate = ".".join([*target, alias.name])
            if (package / Path(*candidate.split("."))).with_suffix(".py").exists():
                found.add(candidate)
            else:
                found.add(".".join(target) or "__init__")
    found.discard(name)
    return found


def graph(package: Path) -> dict[str, set[str]]:
    """Return each module's imports of the package's modules."""
    return {
        module_name(package, path): imports(package, path)
        for path in sorted(package.rglob("*.py"))
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return the import cycles (each once, as a path back to its start)."""
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(edges.get(node, ())):
            if nxt in path:
                cycle = path[path.index(nxt) :]
                if (key := frozenset(cycle)) not in seen:
                    seen.add(key)
                    found.append([*cycle, nxt])
            elif len(path) < len(edges):
                visit(nxt, [*path, nxt])

    for start in sorted(edges):
        visit(start, [start])
    return found


def main() -> int:
    """Print the graph and the cycles."""
    package = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    edges = graph(package)
    for name, targets in edges.items():
        print(f"{name}: {', '.join(sorted(targets)) or '-'}")
    found = cycles(edges)
    for cycle in found:
        print("cycle: " + " -> ".join(cycle))
    print(
        f"{len(edges)} modules, {sum(map(len, edges.values()))} imports, "
        f"{len(found)} cycles"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
