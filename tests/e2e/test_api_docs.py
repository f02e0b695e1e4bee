"""The API's docs page works in a browser under the site's Content-Security-Policy: swagger-ui
loads from our own static files (no CDN, no inline script) and lists the operations; a token
made on the profile page is shown once."""

import pytest

from tests.e2e.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_the_api_docs_render_from_static_files(new_page, db):
    page = new_page()
    page.goto("/api/v1/docs")
    page.wait_for_selector("text=Log an activity")
    assert page.locator("text=Move a prospect to another stage").count() >= 1
    assert page.locator(".opblock").count() == 15


def test_a_token_is_made_and_shown_once_on_a_phone(new_page, producer):
    page = new_page()
    log_in(page, producer.user.username, PASSWORD)
    page.goto("/profile/")
    page.click("text=Make, see and revoke your tokens")
    page.fill("#id_name", "Dialer")
    page.click("#token-form button[type=submit]")
    secret = page.input_value(".token-secret")
    assert secret.startswith("sc_")
    page.goto("/profile/tokens/")
    assert page.locator(".token-secret").count() == 0
    assert page.locator(".token-list").inner_text().startswith("Dialer")
