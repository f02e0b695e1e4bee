"""Limits that keep the code readable for the next person: no product module over 400 lines,
no template line over 160 characters, no template comment left open on its line. Function
complexity (at most 15) is ruff's C901, configured in pyproject.toml and run by `make lint`
and CI."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("salesculture", "pipeline", "accountability", "bench")
MODULE_LINES = 400
TEMPLATE_LINE = 160


def _product_modules():
    for app in PRODUCT:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_no_product_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in _product_modules()
            if (n := len(p.read_text().splitlines())) > MODULE_LINES}
    assert long == {}


def test_no_template_line_is_over_160_characters():
    long = [f"{p.relative_to(ROOT)}:{i}" for p in (ROOT / "templates").rglob("*.*")
            for i, line in enumerate(p.read_text().splitlines(), 1) if len(line) > TEMPLATE_LINE]
    assert long == []


def test_no_template_comment_spans_lines():
    """Django's `{# … #}` ends on its own line: one that goes on to the next is printed as
    text (the team board showed its own comment above the table). Longer ones are
    `{% comment %}`."""
    open_ended = [f"{p.relative_to(ROOT)}:{i}" for p in (ROOT / "templates").rglob("*.*")
                  for i, line in enumerate(p.read_text().splitlines(), 1)
                  if "{#" in line and "#}" not in line.split("{#", 1)[1]]
    assert open_ended == []
