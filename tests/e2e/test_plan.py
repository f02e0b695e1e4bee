from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from accountability.models import ConfidenceCheckIn, GoalPlan
from accountability.planning.selectors import plan_result_from
from accountability.planning.services import goal_plans_refresh_agency
from salesculture.models import Agency
from tests.e2e.conftest import log_in, screenshot


@pytest.fixture
def demo(transactional_db):
    """The demo agency with 13 weeks of history (the shared fixture loads 6, too few for any
    prospect to have been bound, and a plan needs revenue per bound prospect)."""
    call_command("seed_demo", producers=4, weeks=13, verbosity=0)


def test_producer_sees_a_plan_with_a_label_and_proposes_commitments(demo, new_page):
    page = new_page()
    log_in(page, "producer")
    page.goto("/plan/")
    assert "Paying off my parents' mortgage" in page.locator(".why").inner_text()
    plan = GoalPlan.objects.get(producer__user__username="producer")
    assert page.locator(".plan-label-big .plan-label").inner_text() == plan.get_label_display()
    assert plan.label_reason in page.locator(".plan-reason").inner_text()
    bound = plan_result_from(plan).bound_line.per_week
    chain = page.locator("[data-testid=plan-chain]").inner_text()
    shown = f"{bound:.0f}" if bound >= 10 else f"{bound:.1f}"  # the page's rounding
    assert chain.startswith(f"{shown} Bound a week ←"), chain
    assert page.locator(".plan-table tbody tr").count() >= 7
    # The headline fits the first screen of a phone: label and why, the chain, the button.
    for selector in (".plan-label-big", ".plan-reason", "[data-testid=plan-chain]",
                     "[data-testid=propose-commitments]"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= 812, selector
    assert page.locator(".plan-table").bounding_box()["y"] > 812
    # No horizontal scroll on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "plan-phone")

    link = page.locator("[data-testid=propose-commitments]")
    href = link.get_attribute("href")
    query = parse_qs(urlsplit(href).query)
    assert urlsplit(href).path == "/commitments/"
    assert "wins_any" in query and any(key.startswith("activity_") for key in query)
    link.click()
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == "/commitments/"
    # The commitments page prefills next week's form from the plan, without saving.
    assert page.locator("input[name=wins_any]").input_value() == query["wins_any"][0]
    for key, (value,) in query.items():
        assert page.locator(f"input[name={key}]").input_value() == value, key
    screenshot(page, "plan-proposed-commitments")


def test_funnel_confidence_and_check_in(demo, new_page):
    page = new_page()
    log_in(page, "producer")
    page.goto("/funnel/")
    assert page.locator(".funnel-step").count() == 7
    assert "drop off" in page.locator(".funnel").inner_text()
    screenshot(page, "funnel")
    # The weekly check-in on My week: three taps and a button, swapped in place by HTMX.
    ConfidenceCheckIn.objects.filter(producer__user__username="producer").delete()
    page.goto("/week/")
    # Below the fold on a phone: it arrives when scrolled to.
    page.locator("#week-more").scroll_into_view_if_needed()
    prompt = page.locator("#confidence-prompt")
    for pillar in ("process", "pipeline", "team"):
        prompt.locator(f"input[name={pillar}][value='4']").check()
    screenshot(page, "confidence-week-prompt")
    prompt.locator("button[type=submit]").click()
    page.locator("#confidence-prompt .check-in-done").wait_for()
    assert page.url.endswith("/week/")
    assert ConfidenceCheckIn.objects.filter(producer__user__username="producer").count() == 1
    assert "Checked in" in page.locator("#confidence-prompt").inner_text()
    page.goto("/confidence/")
    assert page.locator(".confidence-table tbody tr").count() == 13
    screenshot(page, "confidence")


def test_leader_sees_role_fit(demo, new_page):
    goal_plans_refresh_agency(agency=Agency.objects.get(slug="summit"))
    page = new_page({"width": 1280, "height": 800})
    log_in(page, "leader")
    page.goto("/role-fit/")
    assert page.locator(".fit-row").count() >= 2
    screenshot(page, "rolefit")
    page.locator(".fit-name").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("table tbody tr").count() == 13

