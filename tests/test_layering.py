"""The layering in ARCHITECTURE.md, one direction only: accountability → pipeline →
salesculture. A lower app never imports a higher one; models never import views, forms or
tasks."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ABOVE = {"salesculture": ("pipeline", "accountability"), "pipeline": ("accountability",)}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("app", sorted(ABOVE))
def test_a_lower_app_never_imports_a_higher_one(app):
    offending = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts
        for name in imported_modules(path)
        if name.split(".")[0] in ABOVE[app]
    ]
    assert offending == []


@pytest.mark.parametrize("app", ["salesculture", "pipeline", "accountability"])
def test_models_never_import_views_forms_or_tasks(app):
    names = imported_modules(ROOT / app / "models.py")
    assert not [n for n in names if n.rsplit(".", 1)[-1] in ("views", "forms", "tasks")]
