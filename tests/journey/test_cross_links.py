"""Links between features where a user expects them (found walking the full demo)."""

import re

from django.urls import reverse

from tests.conftest import login


def hrefs(response) -> list[str]:
    found = re.findall(r'href="([^"]+)"', response.content.decode())
    return [h.replace("&amp;", "&") for h in found]


def test_a_leaders_drilldown_links_to_that_persons_plan_confidence_funnel_and_role_fit(
        leader_client, producer):
    links = hrefs(leader_client.get(reverse("accountability:drilldown", args=[producer.pk])))
    assert reverse("accountability:plan_of", args=[producer.pk]) in links
    assert reverse("accountability:confidence_of", args=[producer.pk]) in links
    assert reverse("accountability:funnel") + f"?scope=producer:{producer.pk}" in links
    assert reverse("accountability:role_fit_detail", args=[producer.pk]) in links


def test_my_own_drilldown_links_to_my_plan_and_confidence_and_no_role_fit(
        producer_client, producer):
    links = hrefs(producer_client.get(reverse("accountability:drilldown", args=[producer.pk])))
    assert reverse("accountability:plan") in links
    assert reverse("accountability:confidence") in links
    assert not any(h.startswith(reverse("accountability:role_fit")) for h in links)


def test_a_persons_plan_confidence_and_role_fit_lead_back_to_their_scorecard(
        leader_client, producer):
    drilldown = reverse("accountability:drilldown", args=[producer.pk])
    for name in ("plan_of", "confidence_of", "role_fit_detail"):
        response = leader_client.get(reverse(f"accountability:{name}", args=[producer.pk]))
        assert response.status_code == 200, name
        assert drilldown in hrefs(response), name


def test_my_week_leads_to_my_turn_while_my_teams_meeting_runs(
        producer_client, agency, team, leader):
    from accountability.meetings.services import meeting_end, meeting_start
    from salesculture.weeks import Week

    my_turn = reverse("accountability:meeting_my_turn")
    week = reverse("accountability:my_week")
    assert my_turn not in hrefs(producer_client.get(week))
    meeting = meeting_start(team=team, week_start=Week.current(agency).start, actor=leader)
    response = producer_client.get(week)
    assert my_turn in hrefs(response)
    assert "North’s weekly meeting is running" in response.content.decode()
    meeting_end(meeting=meeting, actor=leader)
    assert my_turn not in hrefs(producer_client.get(week))


def test_a_leaders_week_leads_to_the_meeting_screen_they_drive(leader_client, agency, team,
                                                                leader):
    from accountability.meetings.services import meeting_start
    from salesculture.weeks import Week

    meeting = meeting_start(team=team, week_start=Week.current(agency).start, actor=leader)
    links = hrefs(leader_client.get(reverse("accountability:my_week")))
    assert reverse("accountability:meeting", args=[meeting.pk]) in links


def test_a_flagged_persons_drilldown_shows_the_role_fit_flag_to_their_leader(
        client, leader, producer, team):
    """James is flagged on role fit; his leader opening his 13 weeks should see it there."""
    from tests.accountability.test_rolefit import BAD, GOOD, history, plan_with_pace
    from tests.factories import ProducerFactory

    steady = ProducerFactory(agency=producer.agency, team=team)
    for person, weeks in ((producer, [GOOD] * 5 + [BAD] * 8), (steady, [GOOD] * 13)):
        plan_with_pace(person, 4)
        history(person, weeks)
    url = reverse("accountability:drilldown", args=[producer.pk])
    login(client, leader)
    page = client.get(url).content.decode()
    assert 'data-testid="fit-flag"' in page and "Conversation recommended" in page
    steady_page = client.get(reverse("accountability:drilldown", args=[steady.pk]))
    assert 'data-testid="fit-flag"' not in steady_page.content.decode()
    # the person themself never sees it on their own 13 weeks
    client.logout()
    login(client, producer)
    assert "Conversation recommended" not in client.get(url).content.decode()
