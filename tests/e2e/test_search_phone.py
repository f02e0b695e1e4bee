"""Issue 15 item 4 on a 375×812 phone: a producer types part of a number into the top bar's
search, the results appear under it as they type, and a tap opens the prospect."""

from pipeline.models import Prospect
from tests.e2e.conftest import PHONE, log_in, screenshot


def test_a_producer_finds_a_prospect_by_phone_and_opens_it(demo, new_page):
    mine = Prospect.objects.filter(owner__user__username="producer").order_by("pk").first()
    mine.phone = "(555) 123-4567"
    mine.save()
    theirs = Prospect.objects.exclude(owner=mine.owner).order_by("pk").first()
    theirs.phone = "555-123-4568"
    theirs.save()
    page = new_page(PHONE)
    log_in(page, "producer")

    box = page.locator("#top-search-q")
    assert box.is_visible()  # in the top bar beside the brand, not under "More"
    box.press_sequentially("5551234", delay=60)
    results = page.locator("#nav-search-results [data-testid=search-results] a")
    results.first.wait_for()

    assert [t.split("\n")[0].strip() for t in results.all_inner_texts()] == [mine.name]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box_of = results.first.bounding_box()
    assert box_of["x"] >= 0 and box_of["x"] + box_of["width"] <= PHONE["width"]
    screenshot(page, "phone-search-results")

    results.first.click()
    page.wait_for_url(f"**/pipeline/prospects/{mine.pk}/")
    assert page.locator("h1").inner_text() == mine.name


def test_enter_sends_the_box_to_the_results_page(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    name = Prospect.objects.filter(owner__user__username="producer").order_by("pk").first().name
    page.fill("#top-search-q", name)
    page.press("#top-search-q", "Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.locator("h1").inner_text() == "Search prospects"
    assert page.locator("#search-results a", has_text=name).first.is_visible()
