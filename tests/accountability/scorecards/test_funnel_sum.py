"""The agency's funnel week kept between refreshes (funnel_sum.py) adds up to what adding
every card again gives, whatever changed in between."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountability.scorecards import funnel_sum as module
from accountability.scorecards.funnel_sum import _sum, funnel_sum
from accountability.scorecards.kept import kept_forget


@pytest.fixture(autouse=True)
def _always_by_difference(monkeypatch):
    """However much changed, the kept sum is brought up to date (not added up again)."""
    monkeypatch.setattr(module, "INCREMENTAL_SHARE", 10**6)

STAGES = st.sampled_from(["11", "12", "13", "14"])
COUNTS = st.dictionaries(STAGES, st.integers(1, 9), max_size=3)
# As the job tallies a funnel (funnel_tally.py): a part is there only with something in it.
SOME = st.dictionaries(STAGES, st.integers(1, 9), min_size=1, max_size=3)
FUNNEL = st.fixed_dictionaries({}, optional={
    "created": SOME, "out": SOME,
    "stays": st.dictionaries(STAGES, st.dictionaries(st.sampled_from(["0", "1", "7"]),
                                                     st.integers(1, 5), min_size=1),
                             min_size=1, max_size=2)})
CARD = st.tuples(COUNTS, COUNTS, FUNNEL)
AGENCY_WEEK = st.dictionaries(st.integers(1, 12), CARD, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(AGENCY_WEEK, min_size=1, max_size=6))
def test_a_kept_sum_is_the_sum_of_every_card(weeks):
    """Each run hands the week's cards: some kept as they were (the same objects, as the
    refresh hands a stored card), some changed, some new, some gone."""
    kept_forget()
    before: dict = {}
    for cards in weeks:
        # A producer whose counts did not change comes with the very same objects.
        cards = {pid: before[pid] if before.get(pid) == card else card
                 for pid, card in cards.items()}
        assert funnel_sum(("agency", "week"), cards) == _sum(cards.values())
        before = cards


def test_a_quick_log_changes_the_sum_by_its_quantity():
    kept_forget()
    calls, emails = ({"1": 3}, {}, {}), ({"2": 1}, {"11": 1}, {"out": {"11": 1}})
    funnel_sum(("a", "w"), {1: calls, 2: emails})
    logged = funnel_sum(("a", "w"), {1: ({"1": 4}, {}, {}), 2: emails})
    assert logged == {"activity_counts": {"1": 4, "2": 1}, "wins_by_stage": {"11": 1},
                      "funnel": {"out": {"11": 1}}}
    # the producer who sent the email left the board: their counts go, keys and all
    assert funnel_sum(("a", "w"), {1: ({"1": 4}, {}, {})}) == {
        "activity_counts": {"1": 4}, "wins_by_stage": {}, "funnel": {}}
