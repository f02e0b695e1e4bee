"""The growth run's comparison (bench/growth.py): each page's multiple of its own round's floor,
the rounds' medians set side by side, so a machine busier in one round than the next does not
read as growth."""

from bench.growth import compared


def _round(floor_ms: float, page_ms: float, page_floor_ms: float) -> dict:
    return {"data": {"agencies": 1}, "figures": [
        {"name": "trivial view (floor)", "value": floor_ms, "unit": "ms", "floor": None,
         "ratio": None, "queries": 4},
        {"name": "role fit, owner", "value": page_ms, "unit": "ms", "floor": page_floor_ms,
         "ratio": page_ms / page_floor_ms, "queries": 4},
        {"name": "benchmark process peak RSS after the pages (test client)", "value": 100,
         "unit": "MB", "floor": None, "ratio": None, "queries": None}]}


def test_a_busier_machine_in_one_round_is_not_growth():
    # The middle growth round ran on a machine twice as busy: its page and floor both doubled.
    single = [_round(4, 12, 4), _round(4, 12.4, 4), _round(4, 11.6, 4)]
    growth = [_round(4, 12.8, 4), _round(8, 26, 8), _round(4, 12, 4)]
    figures = {f["name"]: f for f in compared(single, growth)}

    page = figures["growth: role fit, owner"]
    assert page["value"] == 3.2 and page["floor"] == 3.0 and page["met"] is True
    assert page["note"] == "12.8 ms against 12.0 ms, medians of 3 rounds"
    assert figures["growth: trivial view (floor)"]["ratio"] == 1.0
    assert not any("RSS" in name for name in figures)


def test_a_page_that_grew_with_the_other_agencies_is_reported_unmet():
    single = [_round(4, 12, 4)] * 3
    growth = [_round(4, 15, 4)] * 3
    page = {f["name"]: f for f in compared(single, growth)}["growth: role fit, owner"]
    assert page["ratio"] == 1.25 and page["met"] is False


def test_a_round_that_failed_to_measure_a_page_says_so():
    failed = _round(4, 12, 4)
    failed["figures"][1].update(value=None, ratio=None)
    page = {f["name"]: f for f in compared([_round(4, 12, 4)] * 2, [_round(4, 12, 4), failed])}[
        "growth: role fit, owner"]
    assert page["value"] is None and page["met"] is False
    assert page["note"] == "failed in one of the rounds"
