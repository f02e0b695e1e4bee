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
