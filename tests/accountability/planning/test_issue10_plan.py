"""Issue 10, items 3, 7 and 8, read off the plan page: moves out of Lost in each line's
history, the deal size of one sale blended with the agency's, and a line the producer has no
history for never deciding the label. Every ledger is written through the pipeline services;
the numbers are worked out by hand in the comments."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from types import SimpleNamespace

import pytest
from django.urls import reverse

from accountability.planning import services as plan_services
from tests.accountability.test_plan_ledger import PATH, at, calls, journey
from tests.conftest import login
from tests.factories import ProducerFactory, activity_type, stage

JUN_22 = dt.date(2026, 6, 22)  # a Monday; the history below happens in its week
JUL_1 = dt.date(2026, 7, 1)  # a Wednesday: 25 working weeks left (27 calendar × 48/52)


@pytest.fixture
def on_july_1(monkeypatch, agency):
    """The plan page as computed at noon on July 1, 2026: the weeks left, the year so far and
    the last four weeks (June 1 to June 28) are then fixed. Only the plan's clock is set."""
    moment = at(agency, JUL_1, 12)
    monkeypatch.setattr(plan_services, "timezone", SimpleNamespace(now=lambda: moment))


def plan_page(client, person) -> str:
    login(client, person)
    response = client.get(reverse("accountability:plan"))
    assert response.status_code == 200
    return response.content.decode()


def row(html: str, key: str) -> str:
    """The plan table's row of one line (`stage:<id>` or `activity:<id>`), tags stripped."""
    match = re.search(rf'<tr class="plan-line[^"]*" data-key="{key}">.*?</tr>', html, re.S)
    assert match, f"no line {key}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- item 3: a prospect re-opened out of Lost and bound -----------------------------------------

def test_binding_a_reopened_prospect_counts_in_the_bound_lines_history(client, agency, producer,
                                                                       on_july_1):
    # given: Pat's one prospect, Lead → Contacted → Lost → Bound ($5,000) in the week of June 22
    reopened = journey(producer, ["Lead", "Contacted", "Lost", "Bound"], at(agency, JUN_22),
                       revenue=5000, name="Shaw Dental")
    assert reopened.stage.name == "Bound"
    producer.annual_goal = Decimal("30000")
    producer.save(update_fields=["annual_goal"])

    # when: Pat reads the plan
    html = plan_page(client, producer)

    # then: the Bound line counts that binding in its last four weeks and its best run.
    # $30,000 − $5,000 bound = $25,000 ÷ $5,000 ÷ 25 weeks = 0.2 bound a week, against a best
    # run of 1 in four weeks (0.25 a week): 0.8×, realistic.
    bound = row(html, f"stage:{stage(agency, 'Bound').pk}")
    assert "(1 in all)" in bound
    assert "none yet" not in bound and "(plan needs 0.8×)" in bound
    assert "none in any four weeks" not in html
    assert "$5,000 bound so far this year (1 prospect)" in text(html)
    assert "Realistic." in text(html)


# --- item 7: the deal size of one sale ----------------------------------------------------------

def test_one_small_sale_is_blended_with_the_agencys_deal_size(client, agency, producer,
                                                              on_july_1):
    # given: Pat bound one prospect, of $800; a colleague bound four, of $5,000 each, all of
    # them walking every stage in the week of June 22
    start = at(agency, JUN_22)
    journey(producer, PATH, start, revenue=800, name="Corner Shop")
    peer = ProducerFactory(agency=agency, team=producer.team)
    for i in range(4):
        journey(peer, PATH, start + dt.timedelta(minutes=i), revenue=5000, name=f"Big {i}")
    producer.annual_goal = Decimal("20000")
    producer.save(update_fields=["annual_goal"])

    # when
    html = plan_page(client, producer)
    page = text(html)

    # then: revenue per bound prospect is blended like the stage rates, on 1 bound of the 10
    # a deal size of one's own needs (w = 0.1):
    #   agency $20,800 ÷ 5 = $4,160; 0.1 × $800 + 0.9 × $4,160 = $80 + $3,744 = $3,824.
    assert ("Average revenue per bound prospect: $3,824 ( blend 10% yours ($800, 1 bound) "
            "+ agency $4,160 (5 bound))") in page
    bound = row(html, f"stage:{stage(agency, 'Bound').pk}")
    assert "÷ $3,824 a bound prospect, blend 10% yours ($800, 1 bound) + agency $4,160" in bound
    # $20,000 − $800 = $19,200 ÷ $3,824 ÷ 25 weeks = 0.20 bound a week (on $800 alone it
    # would be 0.96, 3.8× Pat's best run: a pretend number). Every rate is 100%, so every
    # stage needs 0.2 a week against a best run of 0.25: 0.8×, realistic.
    assert "(plan needs 0.8×)" in bound
    assert "Realistic." in page and "Pretend number" not in page
    assert "Needs 1.0" not in page and "0.96" not in page
    assert "blends your average ($800) with the agency's ($4,160) in proportion: 10% yours" in page


# --- item 8: an activity type the producer never logs -------------------------------------------

def test_a_leader_who_never_logs_calls_is_judged_on_the_lines_they_have_history_for(
        client, agency, leader, on_july_1):
    # given: Lee (a leader) bound two $5,000 prospects and sent 10 emails, but logs no calls;
    # a colleague bound eight and made 80 calls. Everything walked every stage.
    start = at(agency, JUN_22)
    for i in range(2):
        journey(leader, PATH, start + dt.timedelta(minutes=i), revenue=5000, name=f"L{i}")
    calls(leader, 10, at(agency, dt.date(2026, 6, 23), 10), type_name="Email")
    peer = ProducerFactory(agency=agency, team=leader.team)
    for i in range(8):
        journey(peer, PATH, start + dt.timedelta(minutes=i), revenue=5000, name=f"P{i}")
    calls(peer, 80, at(agency, dt.date(2026, 6, 23), 10))
    leader.annual_goal = Decimal("60000")
    leader.save(update_fields=["annual_goal"])

    # when
    html = plan_page(client, leader)
    page = text(html)

    # then: $60,000 − $10,000 = $50,000 ÷ $5,000 ÷ 25 weeks = 0.4 bound a week; every rate is
    # 100%, so 0.4 new prospects a week. Calls: no history of Lee's, so the agency's 80 calls
    # ÷ 10 new prospects = 8 a new prospect, 3.2 a week — shown as agency-based, not judged.
    call_line = row(html, f"activity:{activity_type(agency, 'Call').pk}")
    assert call_line.startswith("Call 3.2 ")
    assert "based on agency history (n=10)" in call_line
    assert "agency-based: not judged" in call_line
    assert "none yet" not in call_line and "◆" not in call_line
    # Emails: Lee's 5 a new prospect on 2 prospects, blended with the agency's 1 (10 ÷ 10):
    # 0.2 × 5 + 0.8 × 1 = 1.8, 0.72 a week against a best run of 2.5: 0.3×.
    email_line = row(html, f"activity:{activity_type(agency, 'Email').pk}")
    assert "(plan needs 0.3×)" in email_line and "blend" in email_line
    # The label is decided by the lines with Lee's own history: each stage needs 0.4 a week
    # against a best run of 2 in four weeks (0.5): 0.8×, realistic.
    assert "Realistic." in page and "Pretend number" not in page
    assert "Needs 0.4 " in page and "Call a week" not in page
    decides = re.search(r'<tr class="plan-line plan-line-(\w+) decides" data-key="([^"]+)"', html)
    assert decides and decides.group(1) in ("bound", "stage")
    # the deal size speaks as the issue asks: 2 bound of 10, blended
    assert "blend 20% yours ($5,000, 2 bound)" in page
