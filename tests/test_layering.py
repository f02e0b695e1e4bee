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


# Feature slices of `accountability`, highest first: a slice imports only slices after it.
# The drill-down shows the role-fit flag and the board the plan label, so `scorecards` sits
# above `planning`; the confidence panel weighs the pipeline with the plan's conversion
# rates, so `confidence` sits above `planning` too. The JSON API answers what the pages answer,
# so `api` sits on top.
SLICES = ["api", "week", "meetings", "scorecards", "coaching", "confidence", "planning",
          "commitments"]


def _slice_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 1 and parts[0] == "accountability" and parts[1] in SLICES:
        return parts[1]
    return None


def _absolute_imports(path: Path) -> set[str]:
    """Imports of a module, relative ones resolved against its package."""
    package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("slice_", SLICES)
def test_a_slice_imports_only_the_slices_below_it(slice_):
    allowed = set(SLICES[SLICES.index(slice_):])
    offending = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / "accountability" / slice_).rglob("*.py")
        for name in _absolute_imports(path)
        if (other := _slice_of(name)) and other not in allowed
    ]
    assert offending == []


def test_every_slice_is_pinned():
    packages = {p.parent.name for p in (ROOT / "accountability").glob("*/__init__.py")}
    assert packages - {"management", "migrations", "templatetags"} == set(SLICES)
