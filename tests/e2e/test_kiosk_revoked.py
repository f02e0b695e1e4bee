"""The wall TV (kiosk) in a real browser, issue 10: a link revoked while the TV shows it
clears the screen and stops polling (#12); the wrap-up's clocks tick as one (#14)."""

import datetime as dt

from django.utils import timezone

from accountability.meetings.kiosk import kiosk_link_create, kiosk_link_revoke
from accountability.meetings.services import meeting_start
from accountability.models import Meeting
from salesculture.models import Producer
from salesculture.selectors import selling_producers
from salesculture.weeks import Week
from tests.e2e.conftest import TV, screenshot

FOLLOW_MS = 8_000  # the kiosk polls every 2 s; allow a slow CI machine


def test_a_link_revoked_while_the_tv_shows_it_clears_the_screen_and_stops_polling(
        demo, new_page):
    leader = Producer.objects.select_related("team").get(user__username="leader")
    link = kiosk_link_create(team=leader.team, actor=leader, label="Wall TV")
    names = [p.name for p in selling_producers(leader.agency, team=leader.team)]

    tv = new_page(TV)
    polls = []
    tv.on("request", lambda request: polls.append(request.url) if "/poll/" in request.url
          else None)
    tv.goto(f"/kiosk/{link.token}/")
    tv.wait_for_selector(".board")
    assert all(name in tv.locator("#kiosk-screen").inner_text() for name in names)
    tv.wait_for_timeout(2_500)  # at least one poll answered 204 before the revoke
    assert polls

    # when: the leader revokes the link while the TV has it open
    kiosk_link_revoke(link=link, actor=leader)

    # then: the next poll clears the screen to the message, with nothing of the team left
    tv.wait_for_selector(".kiosk-revoked", timeout=FOLLOW_MS)
    assert tv.locator("#main").inner_text().strip().startswith("This screen's link was revoked.")
    html = tv.content()
    for name in [*names, leader.team.name]:
        assert name not in html, name
    assert tv.locator("#kiosk-screen").count() == 0
    assert leader.team.name not in tv.title()
    screenshot(tv, "kiosk-revoked")
    # and it polls no more
    seen = len(polls)
    tv.wait_for_timeout(5_000)
    assert len(polls) == seen


def test_the_wrap_up_clocks_on_the_tv_tick_as_one(demo, new_page):
    leader = Producer.objects.select_related("team", "agency").get(user__username="leader")
    last_week = Week.current(leader.agency).start - dt.timedelta(days=7)
    meeting = meeting_start(team=leader.team, week_start=last_week, actor=leader)
    # 12 seconds before the wrap-up, which has just begun
    Meeting.objects.filter(pk=meeting.pk).update(
        section="wrap_up", section_started_at=timezone.now(),
        section_seconds={"wins": 7, "turns": 3, "pipeline": 2}, version=meeting.version + 1)
    link = kiosk_link_create(team=leader.team, actor=leader)

    tv = new_page(TV)
    tv.goto(f"/kiosk/{link.token}/")
    tv.wait_for_selector("#meeting-stage.section-wrap_up")
    tv.wait_for_timeout(4_000)  # the clocks have ticked on from what the server rendered
    clocks = tv.evaluate("""() => {
        const text = (selector) => document.querySelector(selector).textContent.trim();
        const wrap = (root) => [...document.querySelectorAll(root)]
            .find((el) => el.textContent.includes("Wrap-up")).querySelector(".timer").textContent;
        return {
            headerTotal: text(".stage-total .timer"), panelTotal: text(".wrap-total .timer"),
            headerWrap: wrap(".agenda-item"), panelWrap: wrap(".times .line"),
        };
    }""")
    assert clocks["headerTotal"] == clocks["panelTotal"], clocks
    assert clocks["headerWrap"] == clocks["panelWrap"], clocks
    total, wrap = (int(m) * 60 + int(s) for m, s in
                   (clocks[k].split(":") for k in ("panelTotal", "panelWrap")))
    assert wrap >= 2 and total - wrap == 12, clocks  # ticking, from one base
    screenshot(tv, "kiosk-wrap-up-clocks")
