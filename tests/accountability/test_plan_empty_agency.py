"""A brand-new agency (default stages, no prospects, no activity, a goal of $0): every page of
goal-to-plan, the funnel, confidence and role fit renders and says what is missing."""

from decimal import Decimal

from django.urls import reverse

from accountability.models import GoalPlan
from tests.conftest import login


def test_plan_with_no_goal_asks_for_one_once(client, producer):
    producer.annual_goal = Decimal("0")
    producer.save(update_fields=["annual_goal"])
    login(client, producer)
    html = client.get(reverse("accountability:plan")).content.decode()
    reason = "Set an annual new-revenue goal above $0 to get a plan."
    assert f"</strong> {reason}" in html  # the headline says it...
    assert "What the plan could not compute" not in html  # ...and no list repeats it
    assert 'data-testid="set-goal"' in html and 'href="#goal"' in html
    assert 'data-testid="propose-commitments"' not in html
    assert 'value=""' in html and 'placeholder="e.g. 150,000"' in html  # no "0" to delete


def test_plan_with_a_goal_but_no_history_explains_what_is_missing(client, producer):
    login(client, producer)
    response = client.get(reverse("accountability:plan"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cannot compute" in html
    assert "Nobody in the agency has bound a prospect" in html
    assert 'data-testid="plan-chain"' not in html
    assert GoalPlan.objects.get(producer=producer).label == GoalPlan.Label.INCOMPLETE


def test_goal_form_messages_for_blank_and_huge_goals(client, producer):
    login(client, producer)
    url = reverse("accountability:plan")
    blank = client.post(url, {"annual_goal": ""}).content.decode()
    assert "Enter your annual new-revenue goal in dollars, like 150000." in blank
    # Nobody has bound anything yet, so only the field's own limit applies.
    huge = client.post(url, {"annual_goal": "99999999999999999999"}).content.decode()
    assert "That goal is too large to store; enter one under $10 billion." in huge
    assert 'value="99999999999999999999"' in huge
    producer.refresh_from_db()
    assert producer.annual_goal == Decimal("120000")


def test_funnel_of_an_empty_agency(client, owner):
    login(client, owner)
    html = client.get(reverse("accountability:funnel") + "?scope=agency").content.decode()
    assert "No prospect moved in this period yet." in html
    assert "No activity logged in this period yet." in html


def test_confidence_panel_of_an_empty_agency(client, producer):
    login(client, producer)
    response = client.get(reverse("accountability:confidence"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<tr data-week=") == 13
    assert "Weekly check-in" in html


def test_role_fit_without_plans_shows_no_judgement(client, leader, producer):
    login(client, leader)
    html = client.get(reverse("accountability:role_fit")).content.decode()
    html = html.split('<ul class="fit-list">')[1]  # the people, without the legend
    assert "No plan yet" in html
    assert "Conversation recommended</span>" not in html
    # Weeks without a plan are drawn neutral, not as "one below".
    assert 'class="fit-week na"' in html and 'class="fit-week one"' not in html
    detail = client.get(reverse("accountability:role_fit_detail", args=[producer.pk]))
    assert "No plan to measure wins against yet" in detail.content.decode()

