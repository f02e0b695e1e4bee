"""A leader's open team page shows a producer's new win without reloading; screenshots of the
team scorecard (desktop and phone) and of a producer's drill-down."""

import datetime as dt

from pipeline.models import Prospect, Stage
from tests.e2e.conftest import PHONE, log_in, screenshot

DESKTOP = {"width": 1280, "height": 900}


def _movable_prospect():
    """One of Paula's open prospects that has a further open stage to move to."""
    return (Prospect.objects.filter(owner__user__username="producer", stage__kind="open")
            .exclude(stage__position=Stage.objects.filter(kind="open")
                     .order_by("-position").values("position")[:1])
            .select_related("stage").order_by("stage__position", "pk").first())


def test_a_leader_sees_a_new_win_appear_without_reloading(demo, new_page):
    # given: the leader's team page is open
    leader = new_page(DESKTOP)
    log_in(leader, "leader")
    assert leader.url.endswith("/team/")
    leader.evaluate("window.__notReloaded = true")
    prospect = _movable_prospect()
    assert prospect is not None
    assert prospect.name not in leader.locator("#team-wins").inner_text()

    # when: Paula, in her own browser, advances the prospect through the real form
    paula = new_page(PHONE)
    log_in(paula, "producer")
    paula.goto(f"/pipeline/prospects/{prospect.pk}/advance/")
    paula.fill("#id_next_step", "Call to book the discovery meeting")
    paula.fill("#id_next_step_due", (dt.date.today() + dt.timedelta(days=2)).isoformat())
    paula.locator("input[name=definition_confirmed]").check()
    paula.locator("form.advance-form button[type=submit].btn-primary").click()
    paula.wait_for_load_state("networkidle")
    prospect.refresh_from_db()
    assert prospect.advances.filter(is_win=True, moved_by__user__username="producer").exists()

    # then: within one poll interval the win is on the leader's page, celebrated, no reload
    new_win = leader.locator("#team-wins li.win-new", has_text=prospect.name)
    new_win.wait_for(timeout=12_000)
    assert leader.evaluate("window.__notReloaded") is True
    assert "Paula Chen" in new_win.inner_text()
    screenshot(leader, "team-live-new-win")


def test_team_scorecard_and_drilldown_screenshots(demo, new_page):
    desktop = new_page(DESKTOP)
    log_in(desktop, "leader")
    assert desktop.locator("tr.leader").count() >= 1
    screenshot(desktop, "team-scorecard-1280")

    phone = new_page(PHONE)
    log_in(phone, "leader")
    # no sideways scrolling of the page itself at 375 px (the table scrolls in its frame)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "team-scorecard-375")

    # sorting by wins swaps the board in place (no reload), keeps leaders on top, and the
    # address follows so a reload or a shared link shows the same order
    desktop.evaluate("window.__notReloaded = true")
    desktop.locator("thead").get_by_role("link", name="Wins", exact=True).click()
    desktop.wait_for_url("**sort=wins**")
    desktop.wait_for_load_state("networkidle")
    assert desktop.evaluate("window.__notReloaded") is True
    assert desktop.locator("th[aria-sort=descending]", has_text="Wins").count() == 1
    wins = [int(t) for t in desktop.locator("tbody tr:not(.leader) td.wins").all_inner_texts()]
    assert wins == sorted(wins, reverse=True)
    assert desktop.locator("tbody tr").first.get_attribute("class").startswith("leader")

    desktop.get_by_role("link", name="Paula Chen").click()
    desktop.wait_for_load_state("networkidle")
    assert "Paying off my parents' mortgage" in desktop.locator(".why").inner_text()
    assert desktop.locator("svg.bars").count() == 3
    screenshot(desktop, "team-drilldown-1280")
    phone.goto(desktop.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "team-drilldown-375")

    # a producer sees the board without colleagues' pipelines, plans or prospects
    paula = new_page(PHONE)
    log_in(paula, "producer")
    paula.goto("/team/")
    assert paula.locator("tr[data-producer]").count() >= 2
    assert paula.locator("th", has_text="Pipeline").count() == 0
    # and the page itself says so, once and calmly, with the way to her own history
    note = paula.get_by_test_id("producer-view-note")
    assert "prospects, pipelines and plans stay with them and their leader" in note.inner_text()
    note.get_by_role("link", name="Your own row").click()
    paula.wait_for_load_state("networkidle")
    assert paula.locator("h1").inner_text().startswith("Paula Chen")
    paula.go_back()
    screenshot(paula, "team-scorecard-producer-375")


def test_polling_pauses_while_the_tab_is_hidden_and_catches_up_when_shown(
        demo, new_page, settings):
    settings.LIVE_POLL_SECONDS = 1
    page = new_page(DESKTOP)
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/live/team/" in r.url else None)
    log_in(page, "leader")
    page.wait_for_timeout(2_500)
    assert polls, "an open, visible page polls"

    page.evaluate("""() => {
        Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    page.wait_for_timeout(300)
    polls.clear()
    page.wait_for_timeout(2_500)
    assert polls == [], "a hidden tab does not poll"

    page.evaluate("""() => {
        Object.defineProperty(document, "hidden", {configurable: true, get: () => false});
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    page.wait_for_timeout(400)
    assert polls, "showing the tab polls at once"


def test_a_live_update_keeps_the_board_scrolled_where_the_reader_left_it(
        demo, new_page, settings):
    from django.db.models import F

    from salesculture.models import Team

    settings.LIVE_POLL_SECONDS = 1
    page = new_page(PHONE)
    log_in(page, "leader")
    frame = page.locator("#scorecard-frame")
    frame.evaluate("el => { el.scrollLeft = 160; }")
    marker = page.locator("#team-scorecard").evaluate("el => (el.dataset.old = '1')")
    assert marker == "1"

    # something on the leader's team changes: the next poll swaps in a fresh board
    Team.objects.filter(members__user__username="leader").update(
        live_version=F("live_version") + 1)
    page.wait_for_selector("#team-scorecard:not([data-old])", timeout=5_000)

    assert page.locator("#scorecard-frame").evaluate("el => el.scrollLeft") == 160


def test_a_poll_after_the_session_ended_goes_to_the_login_page_not_into_the_board(
        demo, new_page, settings):
    settings.LIVE_POLL_SECONDS = 1
    page = new_page(PHONE)
    log_in(page, "leader")
    assert page.url.endswith("/team/")

    page.context.clear_cookies()  # the session ends (logged out elsewhere, expired)

    page.wait_for_url("**/login/**", timeout=6_000)
    assert page.locator("#id_username").count() == 1
    assert page.locator("#team-scorecard").count() == 0


def test_an_owner_sees_a_line_per_team_and_opens_a_teams_rows_in_place(demo, new_page, settings):
    from django.db.models import F

    from salesculture.models import Agency, Team

    settings.LIVE_POLL_SECONDS = 1
    page = new_page(DESKTOP)
    log_in(page, "owner")
    page.goto("/team/")
    # an owner's fourteen links fit one line of the top bar on a 1280 px laptop
    links = page.locator(".topbar .nav a, .topbar .nav .link")
    assert links.count() >= 14
    assert len({round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}) == 1
    summary = page.get_by_test_id("team-summary")
    assert summary.locator("tbody.team-line").count() == 2  # North and South
    assert page.locator("tr[data-producer]").count() == 0  # nobody's row until asked for
    page.evaluate("window.__notReloaded = true")

    # "Show rows" opens the team's own rows under its line, without leaving the page
    south = Team.objects.get(name="South")
    toggle = page.locator(f"#team-rows-{south.pk}-toggle")
    toggle.click()
    rows = page.locator(f"#team-rows-{south.pk} tr[data-producer]")
    rows.first.wait_for(timeout=5_000)
    assert rows.count() == south.members.filter(is_active=True).exclude(
        role="non_producer").count()
    assert toggle.get_attribute("aria-expanded") == "true"
    screenshot(page, "team-agency-summary-1280")

    # a change elsewhere re-renders the lines; the open rows stay open, then follow their team
    page.locator("#team-scorecard").evaluate("el => (el.dataset.old = '1')")
    Team.objects.filter(pk=south.pk).update(live_version=F("live_version") + 1)
    Agency.objects.update(live_version=F("live_version") + 1)
    page.wait_for_selector("#team-scorecard:not([data-old])", timeout=5_000)
    page.wait_for_timeout(1_500)
    assert page.locator(f"#team-rows-{south.pk} tr[data-producer]").count() == rows.count()
    assert page.locator(f"#team-rows-{south.pk}").is_visible()

    # and close again
    page.locator(f"#team-rows-{south.pk}-toggle").click()
    assert not page.locator(f"#team-rows-{south.pk}").is_visible()
    assert page.evaluate("window.__notReloaded") is True
