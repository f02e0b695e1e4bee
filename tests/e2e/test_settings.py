"""The owner sets up the sales process in the browser: opens Settings from the nav, adds a
stage and moves it up with the arrow buttons (an htmx swap of the list; no drag), on a laptop
and on a phone."""

import pytest
from playwright.sync_api import expect

from pipeline.models import Stage
from tests.e2e.conftest import PHONE, log_in, screenshot
from tests.factories import PASSWORD, AgencyFactory, ProducerFactory

LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def owner(transactional_db):
    agency = AgencyFactory(name="Summit Insurance")
    return ProducerFactory(agency=agency, role="owner", user__username="olive",
                           user__first_name="Olive", user__last_name="Owner")


def stage_names(page) -> list[str]:
    return [name.strip() for name in page.locator("#stage-list .settings-row-main > a")
            .all_inner_texts()]


@pytest.mark.parametrize("device,viewport", [("laptop", LAPTOP), ("phone", PHONE)])
def test_owner_adds_a_stage_and_moves_it_up(new_page, owner, device, viewport):
    page = new_page(viewport)
    log_in(page, "olive", PASSWORD)

    # Settings, from the nav (on a phone, under the bottom bar's "More")
    if device == "phone":
        page.locator(".bn-more > summary").click()
    page.locator("nav a:visible", has_text="Settings").click()
    page.wait_for_url("**/settings/")
    screenshot(page, f"settings-hub-{device}")
    page.locator("#settings-sections a", has_text="Stages").click()
    page.wait_for_url("**/settings/stages/")

    # add a stage: it lands after the last open stage
    page.fill("#id_name", "Quoted")
    page.fill("#id_definition_of_done", "A written quote is in the prospect's hands.")
    page.fill("#id_stale_after_days", "10")
    page.locator("#stage-add-form button[type=submit]").click()
    page.wait_for_url("**/settings/stages/")
    assert "Stage Quoted added." in page.locator(".flash").inner_text()
    names = stage_names(page)
    assert names[-3:] == ["Quoted", "Bound", "Lost"]
    screenshot(page, f"settings-stage-added-{device}")

    # move it up one place with its arrow: the list is swapped in place
    page.get_by_role("button", name="Move Quoted up").click()
    page.wait_for_selector("#stage-list li:nth-last-child(4) a:text-is('Quoted')")
    assert stage_names(page)[-4:] == ["Quoted", "Proposal presented", "Bound", "Lost"]
    assert page.url.endswith("/settings/stages/")
    # the moved row's arrow keeps the focus, so a keyboard or screen reader stays on it;
    # htmx honours autofocus when the swap settles, a moment after the new list is in
    expect(page.get_by_role("button", name="Move Quoted up")).to_be_focused()
    order = list(Stage.objects.filter(agency=owner.agency).order_by("position")
                 .values_list("name", flat=True))
    assert order[-4:] == ["Quoted", "Proposal presented", "Bound", "Lost"]
    screenshot(page, f"settings-stage-moved-{device}")


def test_owner_moves_a_producer_to_a_new_team_on_a_phone(new_page, owner):
    from salesculture.models import Producer
    pat = ProducerFactory(agency=owner.agency, team=owner.team, user__first_name="Pat",
                          user__last_name="Producer")
    page = new_page(PHONE)
    log_in(page, "olive", PASSWORD)

    page.goto("/settings/agency/")
    screenshot(page, "settings-agency-phone")
    page.goto("/settings/teams/")
    page.fill("#id_name", "South")
    page.locator("#team-add-form button[type=submit]").click()
    page.wait_for_url("**/settings/teams/")
    screenshot(page, "settings-teams-phone")
    # A team's people are on its own page: open Pat's team, move Pat to South from there.
    home = owner.team
    page.get_by_role("link", name=f"Open {home.name}").click()
    page.wait_for_url(f"**/settings/teams/{home.pk}/")
    row = page.locator(f"#person-{pat.pk}")
    row.locator("select").select_option(label="South")
    row.get_by_role("button", name="Move").click()
    page.wait_for_url(f"**/settings/teams/{home.pk}/")
    assert "Pat Producer is now on South." in page.locator(".flash").inner_text()
    assert page.locator(f"#person-{pat.pk}").count() == 0
    page.get_by_role("link", name="← Teams").click()
    page.get_by_role("link", name="Open South").click()
    page.locator(f"#person-{pat.pk}").get_by_role("button", name="Make leader").click()
    page.wait_for_url("**/settings/teams/*/")
    assert "Pat Producer is now a leader of South." in page.locator(".flash").inner_text()
    assert Producer.objects.get(pk=pat.pk).role == "leader"
    assert Producer.objects.get(pk=pat.pk).team.name == "South"
    screenshot(page, "settings-team-phone")
