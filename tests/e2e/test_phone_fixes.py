"""Small defects found by trying the app on a phone and a TV, pinned in a real browser."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from accountability.models import Commitment
from salesculture.models import Producer
from salesculture.weeks import Week

from .conftest import PHONE, SCREENSHOTS, TV, leader_at_first_turn, log_in, press_key, screenshot


def collect_console_errors(page) -> list[str]:
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_the_move_picker_opens_and_changes_stage_without_console_errors(demo, new_page):
    page = new_page(PHONE)
    errors = collect_console_errors(page)
    log_in(page, "producer")
    page.goto("/pipeline/")
    card = page.locator(".board-card").first
    card_id = card.get_attribute("id")
    card.locator(".card-actions a", has_text="Move…").click()
    form = page.locator(f"#{card_id} form.advance-form")
    form.wait_for()
    # htmx listens to the new form's select once the swap has settled: a choice made before
    # that sends nothing (a person is never that quick; a test is).
    expect(page.locator(f"#{card_id}")).not_to_have_class(re.compile(r"htmx-(added|settling)"))
    # Choosing a stage asks the server for its definition of done (an htmx request from the select).
    select = form.locator("select[name=to_stage]")
    select.select_option(index=1)
    # The button names the chosen stage ("Move to …", or "Mark lost" for a lost stage: which
    # one comes second depends on the card the demo data puts first).
    expect(page.locator(f"#{card_id} .form-actions .btn-primary")).to_have_text(
        re.compile(r"^(Move to .+|Mark lost)$"))
    page.wait_for_load_state("networkidle")
    assert errors == []


def test_the_team_boards_show_button_is_only_for_browsers_without_javascript(
        demo, new_page, browser, live_server):
    page = new_page(PHONE)
    log_in(page, "leader")
    page.goto("/team/")
    show = page.locator("form.team-filter button[type=submit]")
    assert show.count() == 1 and not show.is_visible()
    # The select sends its form by itself once scripts run.
    page.locator("#team-select").select_option("all")
    page.wait_for_url("**team=all**")

    context = browser.new_context(viewport=PHONE, base_url=live_server.url,
                                  java_script_enabled=False)
    try:
        plain = context.new_page()
        log_in(plain, "leader")
        plain.goto("/team/")
        assert plain.locator("form.team-filter button[type=submit]").is_visible()
    finally:
        context.close()


def test_the_pipeline_boards_show_button_is_hidden_with_javascript(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    page.goto("/pipeline/")
    assert not page.locator("form.board-filter button", has_text="Show").is_visible()


REACHABLE = """el => {
  const r = el.getBoundingClientRect();
  return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
}"""


def overlaps(a, b) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_on_a_phone_a_toast_leaves_the_next_button_reachable_and_a_tap_dismisses_it(
        demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    page.goto("/commitments/")
    page.locator(".targets-form button[type=submit]").click()
    toast = page.locator(".toast")
    toast.wait_for()
    # The next thing on the page: a specific promise, its button at the bottom of the screen.
    add = page.locator(".promise-form button[type=submit]")
    add.evaluate("el => el.scrollIntoView({block: 'end'})")
    page.screenshot(path=str(SCREENSHOTS / "commitments-toast-phone.png"))  # the viewport
    assert not overlaps(toast.bounding_box(), add.bounding_box())
    assert add.evaluate(REACHABLE)
    toast.click()
    assert page.locator(".toast").count() == 0


def test_on_the_tv_a_toast_keeps_clear_of_the_controls_and_the_key_legend(demo, new_page):
    page = leader_at_first_turn(new_page)
    page.fill("#id_note", "Strong week")
    page.click(".turn-note button")
    toast = page.locator(".toast")
    toast.wait_for()
    screenshot(page, "meeting-turn-toast")
    box = toast.bounding_box()
    for needed in (".keys", ".controls", ".turn-note", ".commit-add", ".turn-name"):
        assert not overlaps(box, page.locator(needed).first.bounding_box()), needed
    toast.click()
    assert page.locator(".toast").count() == 0


NOT_CUT = "el => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1"


def test_on_a_1920_tv_the_why_and_the_stage_names_wrap_instead_of_being_cut(demo, new_page):
    page = leader_at_first_turn(new_page)
    why = page.locator(".turn-why")
    assert why.evaluate(NOT_CUT), why.inner_text()
    assert page.evaluate("document.documentElement.scrollHeight") <= TV["height"]

    press_key(page, "PageDown")
    page.wait_for_selector("#meeting-stage.section-pipeline")
    stages = page.locator(".funnel-stage")
    assert stages.count() > 0
    for i in range(stages.count()):
        assert stages.nth(i).evaluate(NOT_CUT), stages.nth(i).inner_text()
    assert "Proposal presented" in page.locator(".funnel").inner_text()
    screenshot(page, "meeting-pipeline-tv")
    assert page.evaluate("document.documentElement.scrollHeight") <= TV["height"]


def test_on_a_1920_tv_the_pipeline_lists_fit_whatever_the_owners_are_called(demo, new_page):
    """Each stale or X-date row is two lines: a long "who · stage" line is cut with an
    ellipsis (its title says it whole) rather than wrapping the list, and so the page, past
    the TV's height (as the demo's own data did on 2026-11-30: its X-dates move with the date)."""
    for producer in Producer.objects.select_related("user"):
        producer.user.last_name = "Oppenheimer-Castellanos de la Vega"
        producer.user.save(update_fields=["last_name"])
    page = leader_at_first_turn(new_page)
    press_key(page, "PageDown")
    page.wait_for_selector("#meeting-stage.section-pipeline")
    who = page.locator(".stale-who")
    assert who.count() > 0
    line = who.first.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
    for i in range(who.count()):
        assert who.nth(i).bounding_box()["height"] <= line * 1.5, who.nth(i).inner_text()
        assert "Oppenheimer-Castellanos de la Vega · " in who.nth(i).get_attribute("title")
    screenshot(page, "meeting-pipeline-tv-long-names")
    assert page.evaluate("document.documentElement.scrollHeight") <= TV["height"]


def test_on_a_tv_a_long_week_scrolls_inside_its_panel_and_the_controls_stay_on_screen(
        demo, new_page):
    # The demo's weeks depend on the hour it is loaded: a producer with more promises than a
    # panel holds once pushed the controls below a TV's edge, where nobody scrolls.
    leader = Producer.objects.select_related("agency", "team").get(user__username="leader")
    week = Week.current(leader.agency)
    for member in Producer.objects.filter(team=leader.team):
        for start in (week.start, week.shift(-1).start):
            Commitment.objects.bulk_create(Commitment(
                agency=leader.agency, producer=member, week_start=start, made_at=timezone.now(),
                kind=Commitment.Kind.SPECIFIC, text=f"Call back the Hollis family about quote {n}")
                for n in range(8))
    page = leader_at_first_turn(new_page)
    assert page.evaluate("document.documentElement.scrollHeight") <= TV["height"]
    expect(page.locator(".turn-grid")).to_contain_text("quote 7")
    expect(page.get_by_role("button", name="Next →")).to_be_in_viewport()
    last = page.locator(".turn-grid .line", has_text="quote 7").last
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()
    screenshot(page, "meeting-turn-long-week-tv")
