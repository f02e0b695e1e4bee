"""Small defects found by trying the app on a phone and a TV, pinned in a real browser."""

from .conftest import PHONE, log_in


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
    # Choosing a stage asks the server for its definition of done (an htmx request from the select).
    select = form.locator("select[name=to_stage]")
    select.select_option(index=1)
    page.locator(f"#{card_id} .form-actions .btn-primary", has_text="Move to").wait_for()
    page.wait_for_load_state("networkidle")
    assert errors == []
