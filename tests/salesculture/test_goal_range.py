"""Issue 11 #1: an annual goal has a sane range ($0 for "no goal", else $1,000 up to what the
field stores), on the profile page, in its service, and on the plan page that shares the rule.
A goal of 0.01 once made coverage overflow and froze the agency's scorecards."""

import html as html_lib
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from salesculture.services import producer_update_profile

PROFILE = reverse("profile")
TOO_SMALL = "A goal under $1,000 is too small to plan a year by"


def goal_field(response) -> str:
    """The profile form's goal field block: its input and the errors shown under it."""
    page = html_lib.unescape(response.content.decode())
    match = re.search(r'<div class="field[^"]*">(?:(?!<div class="field).)*?name="annual_goal".*?'
                      r'</div>', page, re.S)
    assert match, "no annual goal field on the page"
    return match.group(0)


@pytest.mark.parametrize("typed", ["0.01", "999.99"])
def test_the_profile_refuses_a_tiny_goal_next_to_the_field(producer_client, producer, typed):
    response = producer_client.post(PROFILE, {"action": "profile", "why": "New why",
                                              "annual_goal": typed})

    assert response.status_code == 400
    field = goal_field(response)
    assert "has-error" in field and TOO_SMALL in field
    assert f'value="{typed}"' in field  # what was typed is kept to correct
    producer.refresh_from_db()
    assert (producer.annual_goal, producer.why) == (Decimal("120000"), "For my family.")


def test_the_profile_takes_the_smallest_goal_and_zero_for_no_goal(producer_client, producer):
    for typed, stored in (("1000", Decimal("1000")), ("0", Decimal("0"))):
        response = producer_client.post(PROFILE, {"action": "profile", "why": "Mine",
                                                  "annual_goal": typed})
        assert response.status_code == 302, typed
        producer.refresh_from_db()
        assert producer.annual_goal == stored


def test_the_service_refuses_a_tiny_goal_and_saves_nothing(producer):
    with pytest.raises(ValidationError) as refused:
        producer_update_profile(producer=producer, why="Other why",
                                annual_goal=Decimal("0.01"), digest_enabled=False)

    assert TOO_SMALL in refused.value.message_dict["annual_goal"][0]
    producer.refresh_from_db()
    assert (producer.annual_goal, producer.why, producer.digest_enabled) == (
        Decimal("120000"), "For my family.", True)


def test_the_service_refuses_a_goal_beyond_the_field(producer):
    with pytest.raises(ValidationError) as refused:
        producer_update_profile(producer=producer, why="x", annual_goal=Decimal("1e12"),
                                digest_enabled=True)
    assert "too large to store" in refused.value.message_dict["annual_goal"][0]


def test_an_unchanged_legacy_goal_does_not_block_saving_the_why(producer):
    """A goal stored before the range existed is not judged again when only the why changes
    (the welcome page passes the stored goal back)."""
    type(producer).objects.filter(pk=producer.pk).update(annual_goal=Decimal("0.01"))
    producer.refresh_from_db()

    producer_update_profile(producer=producer, why="A why at last", annual_goal=Decimal("0.01"),
                            digest_enabled=True)

    producer.refresh_from_db()
    assert producer.why == "A why at last"


def test_the_plan_page_refuses_a_tiny_goal_with_the_same_rule(producer_client, producer):
    response = producer_client.post(reverse("accountability:plan"), {"annual_goal": "0.01"})

    assert response.status_code == 400
    assert TOO_SMALL in html_lib.unescape(response.content.decode())
    producer.refresh_from_db()
    assert producer.annual_goal == Decimal("120000")
