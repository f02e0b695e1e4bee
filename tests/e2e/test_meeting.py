"""The weekly meeting on a 1920×1080 TV: the demo leader runs it with the keyboard while a
kiosk page (no login) follows."""

import datetime as dt
import re

from accountability.meetings.kiosk import kiosk_link_create
from accountability.models import Commitment, Meeting
from salesculture.models import Producer
from salesculture.selectors import selling_producers
from salesculture.services import producer_create
from salesculture.weeks import Week
from tests.e2e.conftest import PHONE, TV, log_in, press_key, screenshot

FOLLOW_MS = 8_000  # the kiosk polls every 2 s; allow a slow CI machine


def at(page, value: str, timeout: int = 5_000):
    """Wait for a position, "turns:1" meaning the second turn (the reel index is kept)."""
    page.wait_for_selector(f'#meeting-stage[data-at^="{value}:"]', timeout=timeout)


def section(page, name: str, timeout: int = 5_000):
    page.wait_for_selector(f"#meeting-stage.section-{name}", timeout=timeout)



def test_leader_runs_a_meeting_with_the_keyboard_and_the_kiosk_follows(demo, new_page):
    leader = Producer.objects.select_related("team").get(user__username="leader")
    link = kiosk_link_create(team=leader.team, actor=leader, label="Wall TV")
    # a full team of twelve: the turn view must still fit the screen without scrolling
    for first in ("Walter", "Wendy", "Xavier", "Yara", "Zane", "Zoe"):
        producer_create(agency=leader.agency, username=first.lower(), password="x" * 12,
                        first_name=first, last_name="Newman", team=leader.team,
                        why="To build something that lasts, one client at a time.")

    # The wall TV: no login, just the link.
    tv = new_page(TV)
    tv.goto(f"/kiosk/{link.token}/")
    tv.wait_for_selector(".board")
    assert "North" in tv.locator(".stage-team").inner_text()
    screenshot(tv, "meeting-kiosk-board")

    page = new_page(TV)
    log_in(page, "leader")
    page.goto("/meeting/")
    screenshot(page, "meeting-home")
    page.select_option("#id_week", index=0)  # last week (on a Sunday the form offers this week)
    page.click("#meeting-start")
    section(page, "wins")
    meeting = Meeting.objects.get()
    assert meeting.week_start < Week.current(meeting.agency).start  # last week, closed by the seed
    assert page.locator(".reel-who").inner_text()  # a win, large
    screenshot(page, "meeting-wins")
    press_key(page, "p")  # the reel can play itself; P again pauses it
    assert page.locator("[data-autoplay]").inner_text() == "❚❚ Pause reel"
    press_key(page, "p")
    assert page.locator("[data-autoplay]").inner_text() == "▶ Play reel"
    section(tv, "wins", FOLLOW_MS)  # the kiosk picked the meeting up

    # → steps through the reel; PageDown jumps to the turns
    press_key(page, "ArrowRight")
    page.wait_for_selector('#meeting-stage:not([data-at="wins:0:0"])')
    press_key(page, "PageDown")
    at(page, "turns:0")
    assert page.locator(".turn-name").inner_text().startswith("Olivia Grant")  # owner first
    press_key(page, "ArrowRight")
    at(page, "turns:1")
    assert page.locator(".turn-name").inner_text().startswith("Leo Martinez")
    at(tv, "turns:1", FOLLOW_MS)
    press_key(page, "ArrowLeft")
    at(page, "turns:0")
    press_key(page, " ")
    at(page, "turns:1")
    # walk to Paula's turn and commit for her right there
    for _ in range(4):
        name = page.locator(".turn-name").inner_text()
        if name.startswith("Paula Chen"):
            break
        before = page.locator("#meeting-stage").get_attribute("data-at")
        press_key(page, "ArrowRight")
        page.wait_for_selector(f'#meeting-stage:not([data-at="{before}"])')
    assert page.locator(".turn-name").inner_text().startswith("Paula Chen")
    assert page.locator(".turn-rail li").count() == 12
    assert page.locator(".line-kept, .line-missed").count() > 0  # last week, judged
    # a bad commitment shows its message next to the field and keeps what was chosen
    page.select_option("#id_activity_type", label="Call")
    page.click(".commit-add")
    page.wait_for_selector(".f-target .field-error:has-text('Enter how many')")
    assert page.locator("#id_activity_type option:checked").inner_text() == "Call"
    page.fill("#id_target", "30")
    page.click(".commit-add")
    page.wait_for_selector("#turn-commitments .line-next.is-new")
    page.fill("#id_note", "Strong week; wants help with referral asks")
    page.click(".turn-note button")
    page.wait_for_selector(".toast")
    paula = Producer.objects.get(user__username="producer")
    made = Commitment.objects.get(meeting=meeting)
    assert (made.producer, made.week_start, made.describe()) == (
        paula, Week.current(meeting.agency).start, "30 × Call")
    tv.wait_for_selector("#turn-commitments .line-next.is-new", timeout=FOLLOW_MS)
    screenshot(page, "meeting-turn")
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080

    press_key(page, "PageDown")
    section(page, "pipeline")
    follow = page.locator(".stale-act button").first
    if follow.count():
        follow.click()
        page.wait_for_selector(".tag-good")
    screenshot(page, "meeting-pipeline")
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    section(tv, "pipeline", FOLLOW_MS)

    press_key(page, "PageDown")
    section(page, "clear_path")  # the team's open obstacles (tests/e2e/test_clear_the_path.py)
    press_key(page, "PageDown")
    section(page, "wrap_up")
    page.click('.rating-btn[value="9"]')
    page.wait_for_selector('.rating-btn.is-on[value="9"]')
    assert "30 × Call" in page.locator(".made").inner_text()
    screenshot(page, "meeting-wrapup")
    section(tv, "wrap_up", FOLLOW_MS)
    screenshot(tv, "meeting-kiosk")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#meeting-end")
    page.wait_for_url(re.compile(rf"/meeting/{meeting.pk}/$"))
    page.wait_for_selector("h1:has-text('Minutes')")
    assert "Strong week; wants help with referral asks" in page.content()
    screenshot(page, "meeting-minutes")
    meeting.refresh_from_db()
    assert (meeting.section, meeting.rating) == ("ended", 9)
    # between meetings the kiosk goes back to the team's live board
    tv.wait_for_selector(".board", timeout=FOLLOW_MS)


def test_a_producer_commits_from_their_phone_during_their_turn(demo, new_page):
    leader = Producer.objects.select_related("team").get(user__username="leader")
    paula = Producer.objects.get(user__username="producer")
    phone = new_page(PHONE)
    log_in(phone, "producer")
    phone.goto("/meeting/turn/")
    assert "not running" in phone.locator("#my-turn").inner_text()

    tv = new_page(TV)
    log_in(tv, "leader")
    tv.goto("/meeting/")
    tv.select_option("#id_week", index=0)  # last week (on a Sunday the form offers this week)
    tv.click("#meeting-start")
    section(tv, "wins")
    press_key(tv, "PageDown")
    at(tv, "turns:0")
    position = next(i for i, p in enumerate(selling_producers(leader.agency, team=leader.team))
                    if p.pk == paula.pk)
    for turn in range(1, position + 1):
        press_key(tv, "ArrowRight")
        at(tv, f"turns:{turn}")

    # the phone notices her turn by itself and opens the form
    phone.wait_for_selector(".my-turn-now", timeout=FOLLOW_MS)
    phone.check("input[name=kind][value=specific]")
    phone.click(".commit-add")  # empty: the message shows under the field on the phone
    phone.wait_for_selector(".f-text .field-error")
    assert phone.locator("input[name=kind][value=specific]").is_checked()
    phone.fill("#id_text", "Send the Zephyr Bakery proposal by Thursday")
    phone.click(".commit-add")
    phone.wait_for_selector("#my-next-week li:has-text('Zephyr Bakery')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "meeting-my-turn-phone")
    made = Commitment.objects.get(producer=paula, text__contains="Zephyr Bakery")
    assert (made.made_by, made.week_start) == (paula, Week.current(paula.agency).start)
    # the leader's screen follows without a reload
    tv.wait_for_selector("#turn-commitments .is-new:has-text('Zephyr Bakery')", timeout=FOLLOW_MS)

    # the owner can co-drive from a phone: the same screen, stacked, no sideways scrolling
    owner_phone = new_page(PHONE)
    log_in(owner_phone, "owner")
    owner_phone.goto(f"/meeting/{Meeting.objects.get().pk}/")
    owner_phone.wait_for_selector("#turn-commitments .is-new:has-text('Zephyr Bakery')")
    assert owner_phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(owner_phone, "meeting-turn-phone")
    owner_phone.click("#move-next")
    at(tv, f"turns:{position + 1}", FOLLOW_MS)  # the leader's screen follows the owner's


def test_a_big_weeks_reel_ends_on_one_wall_and_a_late_joiner_gets_a_turn(demo, new_page):
    from accountability.scorecards.refresh import scorecards_refresh
    from salesculture.weeks import Week
    from tests.factories import ProspectFactory, StageAdvanceFactory, stage

    leader = Producer.objects.select_related("team", "agency").get(user__username="leader")
    agency = leader.agency
    last_week = Week.current(agency).start - dt.timedelta(days=7)
    start, _ = Week(last_week, agency.tz).bounds
    # a big week: 30 more first contacts on top of what the demo had
    for i in range(30):
        prospect = ProspectFactory(owner=leader, name=f"Big week {i}")
        StageAdvanceFactory(prospect=prospect, to_stage=stage(agency, "Contacted"),
                            occurred_at=start + dt.timedelta(hours=8 + i))
    scorecards_refresh(agency=agency, week_start=last_week, final=True)

    page = new_page(TV)
    log_in(page, "leader")
    page.goto("/meeting/")
    page.select_option("#id_week", index=0)  # last week (on a Sunday the form offers this week)
    page.click("#meeting-start")
    section(page, "wins")
    assert "top win 1 of 10" in page.locator(".reel-count").inner_text().lower()
    # back from the first turn lands on the wall: every win on one screen
    press_key(page, "PageDown")
    at(page, "turns:0")
    press_key(page, "ArrowLeft")
    page.wait_for_selector("#wins-wall")
    assert page.locator(".wall-table tbody tr").count() >= 2
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    screenshot(page, "meeting-wins-wall")

    # someone joins the team after the start; the leader gives them the last turn
    producer_create(agency=agency, username="latecomer", password="x" * 12,
                    first_name="Lena", last_name="Late", team=leader.team)
    press_key(page, "PageDown")
    at(page, "turns:0")
    rail = page.locator(".turn-rail li").count()
    page.reload()
    page.click(".late-turn button")  # nobody chosen: said next to the field, nothing added
    page.wait_for_selector(".late-turn .field-error:has-text('Choose who gets the turn.')")
    assert page.locator(".turn-rail li").count() == rail
    page.select_option("#id_late_producer", label="Lena Late")
    page.click(".late-turn button")
    page.wait_for_selector(".turn-rail li:last-child:has-text('Lena Late')")
    assert page.locator(".turn-rail li").count() == rail + 1
    screenshot(page, "meeting-late-turn")
