"""Issue 15 on a 375×812 phone: My week shows "X-dates coming" above the fold, next to the next
steps due; "done" on a next step logs it and asks for the new one in place; coming back from a
tap on a phone number offers "Log this call" in one more tap."""

import datetime as dt

from pipeline.models import Activity, Prospect
from pipeline.xdates import agency_today
from salesculture.models import Producer
from tests.e2e.conftest import PHONE, SCREENSHOTS, log_in


def thumb_view(page, name: str) -> None:
    """The screen as the thumb sees it (a full-page shot would stretch the fixed bottom bar)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def fold(page) -> float:
    """Where the screen ends for the thumb: the top of the bottom bar."""
    return page.locator(".bottom-nav").bounding_box()["y"]


def test_an_x_date_is_above_the_fold_on_my_week(demo, new_page):
    paula = Producer.objects.get(user__username="producer")
    today = agency_today(paula.agency)
    coming = [p for p in Prospect.objects.filter(owner=paula, stage__kind="open",
                                                 x_date__gte=today).order_by("x_date")
              if p.x_date - today <= dt.timedelta(days=60)
              and not (p.next_step_due and p.x_date - dt.timedelta(days=60)
                       <= p.next_step_due <= p.x_date)]
    assert coming, "the demo gives the producer X-dates 30, 45 and 60 days out"

    page = new_page(PHONE)
    log_in(page, "producer")
    row = page.locator("[data-testid=x-dates] .x-date").first
    assert coming[0].name in row.inner_text()
    assert f"{(coming[0].x_date - today).days} days" in row.inner_text()
    box = row.bounding_box()
    thumb_view(page, "insurance-week-x-dates")
    assert box["y"] + box["height"] <= fold(page), "the first X-date is below the fold"
    # Next to "due today": the next steps start on the same first screen, under the X-dates.
    step = page.locator("#next-steps .feed > li").first.bounding_box()
    assert box["y"] + box["height"] <= step["y"] < fold(page) - 60
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    thumb_view(page, "insurance-week-x-dates")


def test_done_on_a_next_step_logs_it_and_asks_for_the_next_one(demo, new_page):
    paula = Producer.objects.get(user__username="producer")
    today = agency_today(paula.agency)
    first = Prospect.objects.filter(owner=paula, stage__kind="open").order_by("id").first()
    first.next_step, first.next_step_due = "Call to confirm the appointment", today
    first.save(update_fields=["next_step", "next_step_due"])
    # The others are due later than the step this test schedules, so that step stays among
    # the listed ones whatever day the demo was seeded on (on some days a dozen are overdue).
    Prospect.objects.filter(owner=paula, stage__kind="open").exclude(pk=first.pk).update(
        next_step_due=today + dt.timedelta(days=9))
    logged_before = Activity.objects.filter(producer=paula, prospect=first).count()

    page = new_page(PHONE)
    log_in(page, "producer")
    row = page.locator(f"#ns-{first.pk}")
    page.evaluate("window.__noReload = true")
    row.locator("[data-testid=next-step-done]").click()
    form = page.locator(f"#ns-{first.pk} [data-testid=done-form]")
    form.wait_for()
    assert form.locator("select[name=activity_type] option:checked").inner_text().endswith("Call")
    thumb_view(page, "insurance-week-done-form")
    # Saving without the new step says so next to the field and logs nothing.
    form.locator("button[type=submit]").click()
    page.locator(f"#ns-{first.pk} .has-error").first.wait_for()
    assert "Say what the next step is." in page.locator(f"#ns-{first.pk}").inner_text()
    assert Activity.objects.filter(producer=paula, prospect=first).count() == logged_before

    form = page.locator(f"#ns-{first.pk} [data-testid=done-form]")
    form.locator("input[name=next_step]").fill("Send the coverage checklist")
    form.locator("input[name=next_step_due]").fill((today + dt.timedelta(days=2)).isoformat())
    # A double tap: the button is disabled while the first request runs; the token makes sure.
    form.locator("button[type=submit]").dblclick()
    page.locator(".toast", has_text="Done: Call logged").wait_for()
    # Due in two days, the row has moved down the list (perhaps into the folded rest).
    page.locator(f"#ns-{first.pk}", has_text="Send the coverage checklist").wait_for(
        state="attached")
    assert page.evaluate("window.__noReload === true")
    assert page.locator("#next-steps").count() == 1  # the list replaced, not nested
    assert page.locator("#next-steps #next-steps, .feed .next-steps").count() == 0
    assert Activity.objects.filter(producer=paula, prospect=first).count() == logged_before + 1
    first.refresh_from_db()
    assert (first.next_step, first.next_step_due) == ("Send the coverage checklist",
                                                      today + dt.timedelta(days=2))
    thumb_view(page, "insurance-week-done-saved")


def test_back_from_a_call_one_tap_logs_it(demo, new_page):
    paula = Producer.objects.get(user__username="producer")
    prospect = Prospect.objects.filter(owner=paula, stage__kind="open").exclude(
        phone="").order_by("id").first()
    calls_before = Activity.objects.filter(producer=paula, prospect=prospect,
                                           activity_type__name="Call").count()
    page = new_page(PHONE)
    log_in(page, "producer")
    page.goto(f"/pipeline/prospects/{prospect.pk}/")
    link = page.locator(".prospect-facts a.tel-link")
    assert link.get_attribute("href").startswith("tel:")
    # The browser here cannot dial: keep it on the page, as a phone does when the call ends.
    page.evaluate("document.addEventListener('click', e => { if (e.target.closest('a.tel-link')) "
                  "e.preventDefault(); })")
    link.click()
    prompt = page.locator("[data-testid=log-call-prompt]")
    assert prompt.is_hidden()
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    prompt.wait_for()
    assert prospect.name in prompt.inner_text()
    thumb_view(page, "insurance-prospect-log-this-call")
    prompt.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert Activity.objects.filter(producer=paula, prospect=prospect,
                                   activity_type__name="Call").count() == calls_before + 1
    assert page.locator("[data-testid=log-call-prompt]").is_hidden()


def test_the_board_marks_an_open_x_date_window_and_done_works_on_a_card(demo, new_page):
    paula = Producer.objects.get(user__username="producer")
    today = agency_today(paula.agency)
    page = new_page(PHONE)
    log_in(page, "producer")
    page.goto("/pipeline/")
    marked = page.locator(".board-card.xdate-open").first
    marked.scroll_into_view_if_needed()
    assert "X-date" in marked.locator("[data-testid=xdate-mark]").inner_text()
    thumb_view(page, "insurance-board-x-date-mark")

    card = page.locator(".board-card", has=page.locator("[data-testid=next-step-done]")).first
    card_id = card.get_attribute("id")
    prospect = Prospect.objects.get(pk=int(card_id.split("-")[1]))
    logged_before = Activity.objects.filter(prospect=prospect).count()
    card.locator("[data-testid=next-step-done]").click()
    form = page.locator(f"#{card_id} [data-testid=done-form]")
    form.wait_for()
    # A step the demo never schedules: the card already reading a demo step (as one did on
    # 2026-11-30) would end the wait before the server had answered.
    form.locator("input[name=next_step]").fill("Walk through both quotes by phone")
    form.locator("input[name=next_step_due]").fill((today + dt.timedelta(days=3)).isoformat())
    thumb_view(page, "insurance-board-done-form")
    form.locator("button[type=submit]").click()
    form.wait_for(state="detached")
    page.locator(f"#{card_id}", has_text="Walk through both quotes by phone").wait_for()
    assert Activity.objects.filter(prospect=prospect).count() == logged_before + 1
    assert page.locator(f"#{card_id} [data-testid=done-form]").count() == 0
