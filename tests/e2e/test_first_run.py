"""The first hour in a real browser: on an empty install a new owner creates the agency,
invites a producer, and the producer opens the emailed link (the live server runs in this
process, so Django's test email outbox holds the message), sets a password and lands on the
why page. Screenshots of each step, on a laptop and on a phone."""

import re

import pytest
from django.core import mail

from salesculture.models import Agency, Producer
from tests.e2e.conftest import PHONE, screenshot

LAPTOP = {"width": 1280, "height": 800}


@pytest.mark.parametrize("device,viewport", [("laptop", LAPTOP), ("phone", PHONE)])
def test_a_new_owner_sets_up_the_agency_and_invites_a_producer_who_joins(
        transactional_db, new_page, device, viewport):
    owner = new_page(viewport)

    # the empty install opens on the first-run page
    owner.goto("/")
    assert owner.url.endswith("/setup/")
    owner.fill("#id_name", "Harbor Insurance")
    owner.select_option("#id_time_zone", "America/New_York")
    owner.fill("#id_owner_name", "Olivia Owner")
    owner.fill("#id_email", "olivia@example.com")
    owner.fill("#id_password1", "sunny-harbor-42")
    owner.fill("#id_password2", "sunny-harbor-42")
    screenshot(owner, f"first-run-1-setup-{device}")
    owner.click("#first-run button[type=submit]")
    owner.wait_for_load_state("networkidle")

    # logged in as its owner, asked for a why first
    assert "/welcome/" in owner.url
    assert "Harbor Insurance is ready" in owner.content()
    screenshot(owner, f"first-run-2-owner-why-{device}")
    owner.fill("textarea[name=why]", "Building something my kids will be proud of.")
    owner.click("button:has-text('Save my why')")
    owner.wait_for_load_state("networkidle")

    # Settings → People → invite a producer
    owner.goto("/settings/people/")
    owner.fill("#id_name", "Pablo Producer")
    owner.fill("#id_email", "pablo@example.com")
    owner.select_option("#id_role", "producer")
    owner.fill("#id_annual_goal", "150000")
    owner.click("#invite button[type=submit]")
    owner.wait_for_load_state("networkidle")
    assert "Invitation sent to pablo@example.com" in owner.content()
    assert "Pablo Producer" in owner.locator("#invitations").inner_text()
    screenshot(owner, f"first-run-3-invited-{device}")

    # the producer opens the link from the email and sets a password
    assert [m.to for m in mail.outbox] == [["pablo@example.com"]]
    link = re.search(r"https?://[^/\s]+(/invitation/\S+)", mail.outbox[0].body).group(1)
    producer = new_page(viewport)
    producer.goto(link)
    assert "Join Harbor Insurance" in producer.content()
    producer.fill("#id_new_password1", "quiet-meadow-77")
    producer.fill("#id_new_password2", "quiet-meadow-77")
    screenshot(producer, f"first-run-4-accept-{device}")
    producer.click("button:has-text('Set password and start')")
    producer.wait_for_load_state("networkidle")

    assert "/welcome/" in producer.url
    assert "Welcome, Pablo" in producer.content()
    screenshot(producer, f"first-run-5-producer-why-{device}")
    pablo = Producer.objects.get(user__email="pablo@example.com")
    assert (pablo.agency, pablo.role) == (Agency.objects.get(), "producer")

    # the link works once
    again = new_page(viewport)
    again.goto(link)
    assert "already used" in again.content()


def test_a_producer_resets_a_forgotten_password_from_the_login_page(transactional_db,
                                                                    new_page):
    from tests.factories import ProducerFactory

    ProducerFactory(user__username="pia", user__email="pia@example.com")
    page = new_page(PHONE)
    page.goto("/login/")
    page.click("text=Forgot your password?")
    page.fill("#id_email", "pia@example.com")
    page.click("button:has-text('Send the link')")
    page.wait_for_load_state("networkidle")
    assert "Check your email" in page.content()
    screenshot(page, "password-reset-1-sent-phone")

    link = re.search(r"https?://[^/\s]+(/reset/\S+)", mail.outbox[0].body).group(1)
    page.goto(link)
    page.fill("#id_new_password1", "brisk-lantern-31")
    page.fill("#id_new_password2", "brisk-lantern-31")
    screenshot(page, "password-reset-2-new-password-phone")
    page.click("button:has-text('Save the new password')")
    page.wait_for_load_state("networkidle")
    assert "Password changed" in page.content()
    page.click("a.btn:has-text('Log in')")
    page.fill("#id_username", "pia")
    page.fill("#id_password", "brisk-lantern-31")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/week/")
