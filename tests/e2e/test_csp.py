"""Issue 11 in a real browser: what used to be inline (handlers, an htmx filter) still works from
static scripts, and the admin runs under the same Content-Security-Policy. Every page here, as
everywhere in tests/e2e, fails its test on any violation of the policy (conftest.new_page)."""

import re

from django.contrib.auth import get_user_model

from accountability.meetings.agenda import position_key
from accountability.meetings.kiosk import kiosk_link_create
from accountability.meetings.services import meeting_move
from accountability.models import KioskLink, Meeting
from pipeline.models import Prospect
from salesculture.models import Producer
from tests.e2e.conftest import DEMO_PASSWORD, PHONE, leader_at_first_turn, log_in

DESKTOP = {"width": 1280, "height": 800}
POLLS_MS = 5_000  # the meeting screen polls every 2 s


def test_tv_links_select_on_focus_and_revoke_only_when_confirmed(demo, new_page):
    leader = Producer.objects.select_related("team").get(user__username="leader")
    link = kiosk_link_create(team=leader.team, actor=leader, label='Lobby "big" TV')
    page = new_page(DESKTOP)
    log_in(page, "leader")
    page.goto("/meeting/")

    # the link's field selects its whole text when focused, ready to copy
    page.focus(".kiosk-url")
    assert page.evaluate(
        "(f => f.selectionStart === 0 && f.selectionEnd === f.value.length)"
        "(document.querySelector('.kiosk-url'))")

    # Revoke asks first: "Cancel" keeps the link...
    questions = []

    def answer(accept):
        def handle(dialog):
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return handle

    page.once("dialog", answer(False))
    page.click(".kiosk-actions .btn-danger")
    page.wait_for_timeout(300)
    assert questions == ['Revoke “Lobby "big" TV”? That TV stops showing the team at once.']
    assert KioskLink.objects.get(pk=link.pk).revoked_at is None

    # ... "OK" revokes it
    page.once("dialog", answer(True))
    page.click(".kiosk-actions .btn-danger")
    page.wait_for_load_state("networkidle")
    assert KioskLink.objects.get(pk=link.pk).revoked_at is not None


def test_choosing_a_team_shows_it_at_once(demo, new_page):
    page = new_page(DESKTOP)
    log_in(page, "owner")
    page.goto("/team/")
    team = page.locator("#team-select option").nth(1)
    team_id = team.get_attribute("value")

    page.select_option("#team-select", team_id)

    page.wait_for_url(re.compile(rf"/team/\?.*team={team_id}"))
    assert page.locator("#team-select option:checked").get_attribute("value") == team_id


def test_the_meeting_screen_waits_while_someone_types_and_follows_after(demo, new_page):
    leader = Producer.objects.select_related("team").get(user__username="leader")
    page = leader_at_first_turn(new_page)

    # the leader is typing a commitment when the meeting is moved on from another screen
    in_flight = set()
    page.on("request", lambda request: in_flight.add(request))
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    page.fill("#id_target", "12")
    settle_polls_sent_before_typing(page, in_flight)
    meeting = Meeting.objects.get()
    meeting_move(meeting=meeting, actor=leader, direction="next", seen=position_key(meeting))
    page.wait_for_timeout(POLLS_MS)
    assert page.locator("#meeting-stage").get_attribute("data-at").startswith("turns:0:")
    assert page.input_value("#id_target") == "12"

    # with the form put aside, the next poll catches up
    page.evaluate("document.activeElement.blur();"
                  "document.querySelector('form[data-dirty]').removeAttribute('data-dirty')")
    page.wait_for_selector('#meeting-stage[data-at^="turns:1:"]', timeout=POLLS_MS * 2)


def settle_polls_sent_before_typing(page, in_flight):
    """A poll that left before the typing began may still answer; let it, so that what the
    test sees next is the typing's doing."""
    for _ in range(POLLS_MS // 100):
        if not in_flight:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"requests still running: {[r.url for r in in_flight]}")


def test_the_admin_runs_under_the_policy(demo, new_page):
    get_user_model().objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
    prospect = Prospect.objects.first()
    page = new_page(DESKTOP)
    page.goto("/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    for url in ("/admin/", "/admin/salesculture/producer/", "/admin/auth/user/add/",
                f"/admin/pipeline/prospect/{prospect.pk}/change/",
                "/admin/accountability/meeting/add/", "/admin/accountability/commitment/add/"):
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
    # the admin's own scripts ran: the date field got its calendar shortcut
    assert page.locator(".datetimeshortcuts").count() > 0
    page.goto("/admin/salesculture/producer/")
    page.locator("#action-toggle").check()
    assert page.locator(".action-counter").inner_text().startswith(
        str(page.locator("input.action-select").count()))


def test_the_headers_reach_the_browser(demo, new_page):
    page = new_page(PHONE)
    response = page.goto("/login/")
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "camera=()" in headers["permissions-policy"]
