import pytest
from django.http import Http404
from django.urls import reverse

from pipeline.selectors import prospect_get_visible
from salesculture.selectors import producer_get_visible
from tests.conftest import login
from tests.factories import ProducerFactory, ProspectFactory


def test_home_sends_producers_to_their_week_and_leaders_to_the_team(client, producer, leader):
    assert login(client, producer).get("/").url == reverse("accountability:my_week")
    client.logout()
    assert login(client, leader).get("/").url == reverse("accountability:team")


def test_anonymous_visitors_are_sent_to_log_in(client, agency):
    # (before any agency exists, "/" opens the first run instead: test_first_run)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_another_agencys_prospect_and_producer_are_not_found(producer, other_producer):
    stranger_prospect = ProspectFactory(owner=other_producer)
    with pytest.raises(Http404):
        prospect_get_visible(actor=producer, prospect_id=stranger_prospect.pk)
    with pytest.raises(Http404):
        producer_get_visible(actor=producer, producer_id=other_producer.pk)


def test_roles_see_own_team_or_agency(agency, team, producer, leader, owner):
    colleague = ProducerFactory(agency=agency, team=team)
    other_team_member = ProducerFactory(agency=agency, team__agency=agency, team__name="South")
    # A producer sees only themself; a leader their team; an owner the whole agency.
    with pytest.raises(Http404):
        producer_get_visible(actor=producer, producer_id=colleague.pk)
    assert producer_get_visible(actor=leader, producer_id=colleague.pk) == colleague
    with pytest.raises(Http404):
        producer_get_visible(actor=leader, producer_id=other_team_member.pk)
    assert producer_get_visible(actor=owner, producer_id=other_team_member.pk) == other_team_member


def test_a_malformed_id_is_not_found_rather_than_an_error(producer):
    with pytest.raises(Http404):
        prospect_get_visible(actor=producer, prospect_id="abc")


def test_a_deactivated_person_is_told_instead_of_looping_through_login(client, producer):
    login(client, producer)
    producer.is_active = False
    producer.save()
    response = client.get("/", follow=True)
    assert response.status_code == 403
    assert "not part of an agency" in response.content.decode()
