"""Seams between features, walked as users do (from the cross-feature review)."""

from tests.e2e.conftest import PHONE, log_in, screenshot

LAPTOP = {"width": 1366, "height": 900}


def test_a_running_meeting_is_one_tap_from_my_week_and_a_drilldown_leads_to_the_plan(
        demo, new_page):
    leader = new_page(LAPTOP)
    log_in(leader, "leader")
    leader.goto("/meeting/")
    leader.click("#meeting-start")
    leader.wait_for_selector("#meeting-stage")

    # the producer's week, on a phone, says the meeting runs and opens her turn
    phone = new_page(PHONE)
    log_in(phone, "producer")
    notice = phone.locator("[data-testid=meeting-running]")
    assert "weekly meeting is running" in notice.inner_text()
    screenshot(phone, "journey-week-meeting-running")
    notice.locator("a").click()
    phone.wait_for_url("**/meeting/turn/")
    assert "My turn in the meeting" in phone.locator("h1").inner_text()

    # the leader's week leads back to the meeting screen they drive
    leader.goto("/week/")
    leader.locator("[data-testid=meeting-running] a").click()
    leader.wait_for_selector("#meeting-stage")

    # from the team scorecard to Paula's 13 weeks, then to her plan and back
    leader.goto("/team/")
    leader.click("a:has-text('Paula Chen')")
    leader.locator("[data-testid=drill-links] a", has_text="Plan").click()
    leader.wait_for_url("**/plan/*/")
    assert "Paula Chen's plan" in leader.locator("h1").inner_text()
    leader.locator("a", has_text="Scorecard, 13 weeks").click()
    leader.wait_for_url("**/team/producer/*/")
    screenshot(leader, "journey-drilldown-links")
