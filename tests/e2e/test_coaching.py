"""The coaching loop in a real browser: a leader's home shows who needs attention, the leader
records a one-on-one from an alert (its actions become Paula's next-week commitments), Paula
adds her side on her phone, and an alert is dismissed with a note in place. Screenshots of
the leader alerts and of the one-on-one page (leader on a desktop, producer on a phone)."""

import datetime as dt

from django.utils import timezone

from accountability.models import Commitment, OneOnOne
from salesculture.models import Producer
from salesculture.weeks import Week
from tests.e2e.conftest import PHONE, log_in, screenshot

DESKTOP = {"width": 1280, "height": 900}


def _paula_needs_attention() -> Producer:
    """A follow-up past due, and commitments missed in each of the last two weeks."""
    paula = Producer.objects.select_related("agency").get(user__username="producer")
    leo = Producer.objects.get(user__username="leader")
    today = timezone.now().astimezone(paula.agency.tz).date()
    OneOnOne.objects.create(agency=paula.agency, producer=paula, leader=leo,
                            held_on=today - dt.timedelta(days=21),
                            follow_up_on=today - dt.timedelta(days=7),
                            notes="Check the referral habit in two weeks.")
    week = Week.current(paula.agency)
    for back in (1, 2):
        Commitment.objects.create(
            agency=paula.agency, producer=paula, week_start=week.shift(-back).start,
            kind=Commitment.Kind.SPECIFIC, text=f"Send the quotes ({back})",
            made_at=timezone.now(), status=Commitment.Status.MISSED)
    return paula


def test_a_leader_records_a_one_on_one_from_the_alerts_and_dismisses_one(demo, new_page):
    paula = _paula_needs_attention()

    # given: the leader's home, alerts on top
    leader = new_page(DESKTOP)
    log_in(leader, "leader")
    assert leader.url.endswith("/team/")
    alerts = leader.locator("#leader-alerts")
    follow_up = alerts.locator(f'li[data-producer="{paula.pk}"][data-rule="follow_up_overdue"]')
    missed = alerts.locator(f'li[data-producer="{paula.pk}"][data-rule="missed_weeks"]')
    assert "A follow-up was due" in follow_up.inner_text()
    assert "Commitments missed in the weeks of" in missed.inner_text()
    screenshot(leader, "coaching-leader-alerts-1280")

    # when: the leader starts a one-on-one from the alert and records it
    follow_up.get_by_role("link", name="Start a one-on-one").click()
    leader.wait_for_load_state("networkidle")
    assert leader.locator("#id_producer").input_value() == str(paula.pk)
    leader.fill("#id_notes", "Missed two weeks on quotes. Agreed to protect Tuesday mornings.")
    leader.fill("#id_actions", "Send the Hill Farm quote by Tuesday\nAsk two clients for referrals")
    leader.fill("#id_follow_up_on", (dt.date.today() + dt.timedelta(days=14)).isoformat())
    leader.select_option("#id_outcome", "keep_coaching")
    leader.get_by_role("button", name="Record it").click()
    leader.wait_for_load_state("networkidle")

    # then: its page shows the actions as next week's commitments, the check-in strip beside
    assert "/one-on-ones/" in leader.url
    assert leader.locator(".action-list .pill-good").count() == 2
    assert leader.locator(".strip-table tbody tr").count() == 13
    assert Commitment.objects.filter(producer=paula,
                                     week_start=Week.current(paula.agency).next.start,
                                     text="Send the Hill Farm quote by Tuesday").exists()
    screenshot(leader, "coaching-one-on-one-leader-1280")

    # and Paula, on her phone, reads it and adds her side (she cannot edit the leader's notes)
    one_on_one = OneOnOne.objects.filter(producer=paula).order_by("-id").first()
    phone = new_page(PHONE)
    log_in(phone, "producer")
    phone.goto("/one-on-ones/")
    phone.locator(f'[data-one-on-one="{one_on_one.pk}"] a').click()
    phone.wait_for_load_state("networkidle")
    assert "Agreed to protect Tuesday mornings" in phone.locator("[data-leader-notes]").inner_text()
    assert phone.locator("#id_notes").count() == 0
    phone.fill("#id_producer_notes", "Tuesday mornings are blocked in my calendar from now on.")
    phone.get_by_role("button", name="Save my side").click()
    phone.wait_for_load_state("networkidle")
    assert "Your side is saved." in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "coaching-one-on-one-producer-375")

    # back home: the follow-up is answered by the new one-on-one; the missed weeks stay until
    # dismissed, which swaps the alerts in place
    leader.goto("/team/")
    assert follow_up.count() == 0
    missed.locator("summary").click()
    missed.locator("input[name=note]").fill("Talked in our one-on-one; plan agreed.")
    missed.get_by_role("button", name="Dismiss for this week").click()
    missed.wait_for(state="detached")
    assert leader.url.endswith("/team/")
