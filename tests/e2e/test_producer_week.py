"""A producer runs their week from a phone: quick log, advance a prospect, commit for next week."""

import datetime as dt

from django.utils import timezone

from accountability.models import Commitment
from pipeline.models import Activity, StageAdvance
from salesculture.models import Producer
from tests.e2e.conftest import PHONE, SCREENSHOTS, log_in, screenshot


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_quick_log_tap_updates_the_count_without_a_reload(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    assert page.url.endswith("/week/")
    assert no_horizontal_scroll(page)
    # Between appointments: the one-tap buttons are on the first screen, next steps right after.
    assert page.locator(".quick-btn").first.bounding_box()["y"] < PHONE["height"]
    assert page.locator("#next-steps").bounding_box()["y"] < 2 * PHONE["height"]
    paula = Producer.objects.get(user__username="producer")
    logged_before = Activity.objects.filter(producer=paula).count()
    button = page.locator(".quick-btn[data-type='Call']")
    before = int(button.locator(".quick-count").inner_text())
    page.evaluate("window.__noReload = true")
    button.click()
    page.locator(".quick-btn[data-type='Call'] .quick-count").filter(
        has_text=str(before + 1)).wait_for()
    assert page.evaluate("window.__noReload === true")  # same document: no reload
    assert Activity.objects.filter(producer=paula).count() == logged_before + 1
    assert page.locator(".undo-bar").is_visible()
    screenshot(page, "week-my-week")
    # Undo takes it back.
    page.locator(".undo-bar button").click()
    page.locator(".quick-btn[data-type='Call'] .quick-count").filter(
        has_text=str(before)).wait_for()
    assert Activity.objects.filter(producer=paula).count() == logged_before


def test_advance_a_prospect_and_see_the_win_celebrated(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    page.goto("/pipeline/")
    assert no_horizontal_scroll(page)
    screenshot(page, "week-board")
    card = page.locator(".board-card").first
    card_id = card.get_attribute("id")
    name = card.locator(".card-name").inner_text()
    card.locator(".card-actions .btn-primary").click()
    form = page.locator(f"#{card_id} form")
    form.wait_for()
    assert form.locator(".dod").is_visible()  # the destination's definition of done
    form.locator("input[name=next_step]").fill("Call to confirm")
    form.locator("input[name=next_step_due]").fill(
        (timezone.localdate() + dt.timedelta(days=2)).isoformat())
    form.locator("input[name=definition_confirmed]").check()
    screenshot(page, "week-board-advance")
    form.locator("button.btn-primary[type=submit]").click()
    toast = page.locator(".toast-win")
    toast.wait_for()
    assert name in toast.inner_text() and "Win!" in toast.inner_text()
    # The toast arrives with the response; the celebrated card is swapped in just after.
    page.locator(f"#{card_id}.celebrate").wait_for()
    assert StageAdvance.objects.filter(prospect__name=name, is_win=True,
                                       definition_confirmed=True).exists()
    page.wait_for_timeout(700)  # the celebrated card scrolls into view
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "week-board-win.png"))  # the viewport, as seen
    assert no_horizontal_scroll(page)

    page.locator(f"#{card_id} .card-name").click()
    page.wait_for_load_state("networkidle")
    assert "Stage history" in page.content()
    assert no_horizontal_scroll(page)
    screenshot(page, "week-prospect")


def test_set_a_commitment_for_next_week(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    page.goto("/commitments/")
    assert no_horizontal_scroll(page)
    paula = Producer.objects.get(user__username="producer")
    call = paula.agency.activity_types.get(name="Call")
    field = page.locator(f"input[name=activity_{call.pk}]")
    field.fill("33")
    page.locator(".targets-form button[type=submit]").click()
    page.locator(".commit-list li", has_text="33 × Call").wait_for()
    assert "planned ahead" in page.locator(".commit-list li", has_text="33 × Call").inner_text()
    commitment = Commitment.objects.get(producer=paula, activity_type=call, target=33)
    assert commitment.planned_ahead
    screenshot(page, "week-commitments")


def test_profile_page_on_a_phone(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    page.goto("/profile/")
    assert "Paying off my parents' mortgage" in page.locator("textarea[name=why]").input_value()
    assert no_horizontal_scroll(page)
    screenshot(page, "week-profile")


def test_week_and_board_on_a_laptop(demo, new_page):
    page = new_page({"width": 1280, "height": 800})
    log_in(page, "producer")
    assert no_horizontal_scroll(page)
    screenshot(page, "week-my-week-laptop")
    page.goto("/pipeline/")
    assert no_horizontal_scroll(page)
    assert page.locator(".board-col").count() == 6  # the open stages, side by side
    screenshot(page, "week-board-laptop")


def test_a_double_tap_counts_once_in_the_browser(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    paula = Producer.objects.get(user__username="producer")
    logged_before = Activity.objects.filter(producer=paula).count()
    count = page.locator(".quick-btn[data-type='Email'] .quick-count")
    before = int(count.inner_text())
    page.locator(".quick-btn[data-type='Email']").dblclick()
    count.filter(has_text=str(before + 1)).wait_for()
    page.wait_for_timeout(500)  # let any second request finish
    assert int(count.inner_text()) == before + 1
    assert Activity.objects.filter(producer=paula).count() == logged_before + 1


def test_a_double_tap_on_move_moves_once_without_an_error(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    page.goto("/pipeline/")
    card = page.locator(".board-card").first
    card_id = card.get_attribute("id")
    prospect_id = int(card_id.split("-")[1])
    card.locator(".card-actions .btn-primary").click()
    form = page.locator(f"#{card_id} form")
    form.wait_for()
    form.locator("input[name=next_step]").fill("Call to confirm")
    form.locator("input[name=next_step_due]").fill(
        (timezone.localdate() + dt.timedelta(days=2)).isoformat())
    form.locator("button.btn-primary[type=submit]").dblclick()
    page.locator(".toast-win").wait_for()
    page.wait_for_timeout(700)  # let a second request, if any, come back
    assert StageAdvance.objects.filter(prospect_id=prospect_id, is_win=True,
                                       next_step="Call to confirm").count() == 1
    assert page.locator(".form-error").count() == 0
    page.locator(f"#{card_id}.celebrate").wait_for()


def test_on_a_phone_the_stage_strip_brings_a_far_column_into_view(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    page.goto("/pipeline/")
    board = page.locator(".board")
    assert board.evaluate("b => b.scrollLeft") == 0
    last = page.locator(".stage-strip a").last
    target = last.get_attribute("href")  # "#col-<stage id>"
    last.click()
    page.wait_for_timeout(600)
    column = page.locator(target)
    assert board.evaluate("b => b.scrollLeft") > 0
    box = column.bounding_box()
    assert 0 <= box["x"] < PHONE["width"] / 2  # the column now fills the screen
    assert no_horizontal_scroll(page)
