from tests.e2e.conftest import log_in, screenshot


def test_demo_producer_logs_in_and_lands_on_their_week(demo, new_page):
    page = new_page()
    log_in(page, "producer")
    assert page.url.endswith("/week/")
    assert "Paying off my parents' mortgage" in page.locator(".why").inner_text()
    screenshot(page, "smoke-my-week-phone")


def test_wrong_password_shows_a_message(demo, new_page):
    page = new_page()
    log_in(page, "producer", "wrong")
    assert "/login/" in page.url
    assert "correct username and password" in page.locator(".form-error").inner_text()
