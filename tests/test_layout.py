"""The shape of the code: small modules, imports one way, no Home Assistant in api/."""

from __future__ import annotations

import ast
from pathlib import Path
import sys

import pytest

REPO = Path(__file__).parents[1]
INTEGRATION = REPO / "custom_components" / "time_clock"
MAX_LINES = 400

sys.path.insert(0, str(REPO / "scripts"))
import import_graph  # noqa: E402

MODULES = sorted(INTEGRATION.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(INTEGRATION)))
def test_module_is_small(path: Path) -> None:
    """Each module does one job and fits in 400 lines."""
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines"


def test_no_import_cycle() -> None:
    """No module imports one that imports it back, not even for type checking."""
    assert import_graph.cycles(import_graph.graph(INTEGRATION)) == []


def test_import_graph_sees_a_cycle(tmp_path: Path) -> None:
    """The check above would see a cycle (through TYPE_CHECKING too)."""
    (tmp_path / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "a.py").write_text("from .b import B\nA = 1\n", encoding="utf-8")
    (tmp_path / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import A\nB = 1\n",
        encoding="utf-8",
    )
    assert import_graph.cycles(import_graph.graph(tmp_path)) == [["a", "b", "a"]]


@pytest.mark.parametrize(
    "path", sorted((INTEGRATION / "api").rglob("*.py")), ids=lambda p: p.name
)
def test_api_imports_nothing_from_home_assistant(path: Path) -> None:
    """The backend clients could be published on their own."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert not [name for name in imported if name.startswith("homeassistant")]
