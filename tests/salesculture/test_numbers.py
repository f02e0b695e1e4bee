"""Rounding half up, the one way a number is shown (no database)."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from salesculture.numbers import half_up, number_text, percent_text


@pytest.mark.parametrize(("value", "places", "shown"), [
    (0.25, 1, "0.3"), (0.35, 1, "0.4"), (2.5, 0, "3"), (12.5, 0, "13"), (3.0, 1, "3.0"),
    (3.0, -1, "3"), (0.25, -1, "0.3"), (Decimal("1.05"), 1, "1.1"), (-0.25, 1, "-0.3"),
    (None, 1, ""), ("x", 1, ""), (float("inf"), 1, ""), (12345.5, 0, "12346")])
def test_numbers_round_half_up(value, places, shown):
    assert number_text(value, places) == shown


def test_percents_round_half_up():
    assert percent_text(0.125) == "13%"
    assert percent_text(0.5) == "50%"
    assert percent_text(None) == ""


def test_python_round_and_half_up_disagree_on_halves():
    # the bug this module exists for: 0.25 read 0.2 on one page and 0.3 on another
    assert round(0.25, 1) == 0.2
    assert half_up(0.25, 1) == Decimal("0.3")


def test_the_filters_are_builtin():
    html = Template('{{ a|number:1 }} {{ b|percent }} {{ c|number:"-1" }} {{ d|number:"0g" }}'
                    ).render(Context({"a": 0.25, "b": 0.125, "c": 2.0, "d": 12345.5}))
    assert html == "0.3 13% 2 12,346"


def test_the_rounding_module_is_plain_python():
    # the plan calculator, which must stay clear of Django, rounds through it
    import ast
    from pathlib import Path

    import salesculture.numbers as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported == {"decimal"}
