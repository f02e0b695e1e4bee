"""Issue 16 on a 375×812 phone: the bottom bar's places are all on screen without a swipe,
"More" opens and its links work, the bar hides nothing of the page, and My week's next steps
start with today's, above the fold, with the "today" pill as a filter."""

import datetime as dt

from django.utils import timezone

from pipeline.models import Prospect
from tests.e2e.conftest import PHONE, SCREENSHOTS, log_in, screenshot

LAPTOP = {"width": 1280, "height": 800}
DAILY = ["My week", "Pipeline", "Commitments", "Team", "More"]


def thumb_view(page, name: str) -> None:
    """The screen as the thumb sees it (the full-page helper would stretch the fixed bar)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def bar_top(page) -> float:
    return page.locator(".bottom-nav").bounding_box()["y"]


def within_screen(box) -> bool:
    return (box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
            and box["y"] + box["height"] <= PHONE["height"])


def test_every_daily_place_is_on_screen_without_a_swipe(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    assert page.locator(".topbar .nav").is_hidden()
    items = page.locator(".bottom-items > li > a, .bn-more > summary")
    assert [t.strip().lstrip("◎▤✓☰⋯").strip() for t in items.all_inner_texts()] == DAILY
    for i in range(items.count()):
        item = items.nth(i)
        assert item.is_visible() and within_screen(item.bounding_box())
        # Not cut to "Commitm…": the whole name fits its fifth of the bar.
        assert item.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.locator(".bottom-items a[aria-current=page]").inner_text().endswith("My week")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "phone-nav-bar")


def test_more_opens_and_its_links_are_reachable(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "leader")
    menu = page.locator(".bn-menu")
    assert menu.is_hidden()
    page.locator(".bn-more > summary").click()
    links = menu.locator("a, button")
    names = [t.strip() for t in links.all_inner_texts()]
    assert names[:4] == ["Plan", "Funnel", "Meeting", "Role fit"] and names[-1] == "Log out"
    for i in range(links.count()):
        assert within_screen(links.nth(i).bounding_box()), names[i]
    thumb_view(page, "phone-nav-more-open")
    # Escape closes it, back on "More"; a tap elsewhere too.
    page.keyboard.press("Escape")
    assert menu.is_hidden()
    assert page.evaluate("document.activeElement.matches('.bn-more > summary')")
    page.locator(".bn-more > summary").click()
    # A tap elsewhere: main's top corner, which neither the open menu nor the top bar covers.
    page.locator("main").click(position={"x": 4, "y": 4})
    assert menu.is_hidden()
    page.locator(".bn-more > summary").click()
    menu.locator("a", has_text="Funnel").click()
    page.wait_for_url("**/funnel/**")
    # The page is marked in the menu and "More" shows it holds the current page.
    assert page.locator(".bn-more > summary.bn-current").is_visible()
    page.locator(".bn-more > summary").click()
    assert menu.locator("a[aria-current=page]").inner_text() == "Funnel"


def test_the_bar_covers_nothing_at_the_bottom_of_my_week(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    last = page.locator("main > :last-child")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    box = last.bounding_box()
    assert box["y"] + box["height"] <= bar_top(page) + 0.5
    # What sits just above the bar is the page, not the bar.
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 4
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('main') !== null",
                         [x, y])


def test_todays_next_step_is_first_and_above_the_fold(demo, new_page):
    from salesculture.models import Producer
    producer = Producer.objects.get(user__username="producer")
    today = timezone.now().astimezone(producer.agency.tz).date()
    open_ones = Prospect.objects.filter(owner=producer, stage__kind="open").order_by("id")
    # Plenty overdue (which used to push today's behind "7 more") and one due today.
    for prospect in open_ones[1:9]:
        prospect.next_step, prospect.next_step_due = "Call back", today - dt.timedelta(days=2)
        prospect.save(update_fields=["next_step", "next_step_due"])
    first = open_ones[0]
    first.next_step, first.next_step_due = "Send the quote", today
    first.save(update_fields=["next_step", "next_step_due"])
    Prospect.objects.filter(owner=producer, stage__kind="open", next_step_due=today).exclude(
        pk=first.pk).update(next_step_due=today + dt.timedelta(days=3))

    page = new_page(PHONE)
    log_in(page, "producer")
    row = page.locator("#next-steps .feed > li").first
    assert first.name in row.inner_text() and "today" in row.inner_text().lower()
    box = row.bounding_box()
    assert box["y"] + box["height"] <= bar_top(page), "today's step is below the fold"
    thumb_view(page, "phone-week-today-first")

    # The "1 today" pill filters the list to today's, in place.
    page.evaluate("window.__noReload = true")
    page.locator("[data-testid=today-filter]").click()
    page.locator("#next-steps .ns-filtered").wait_for()
    assert page.evaluate("window.__noReload === true")
    assert "due=today" in page.url
    assert page.locator("#next-steps .feed > li").count() == 1
    page.locator("#next-steps .ns-filtered a", has_text="Show all").click()
    page.locator("#next-steps .ns-filtered").wait_for(state="detached")
    assert page.locator("#next-steps .feed > li").count() > 1


def test_a_laptop_keeps_the_top_nav(demo, new_page):
    page = new_page(LAPTOP)
    log_in(page, "producer")
    assert page.locator(".bottom-nav").is_hidden()
    assert page.locator(".topbar .nav a", has_text="Pipeline").is_visible()
