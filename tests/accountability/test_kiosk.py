"""Kiosk links: read-only, unguessable, revocable, one team only."""

import datetime as dt
import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accountability.meetings import kiosk as kiosk_service
from accountability.meetings.kiosk import kiosk_link_create, kiosk_link_revoke
from accountability.meetings.services import meeting_start
from accountability.models import Celebration, KioskLink, Meeting
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import ProducerFactory, TeamFactory


@pytest.fixture
def link(team, leader):
    return kiosk_link_create(team=team, actor=leader, label="Break room TV")


def kiosk_url(link, name="kiosk"):
    return reverse(f"accountability:{name}", args=[link.token])


def celebrate(producer, title):
    return Celebration.objects.create(
        agency=producer.agency, producer=producer, kind=Celebration.Kind.PERSONAL_BEST,
        source_key=f"test:{title}", week_start=Week.current(producer.agency).start, title=title,
        occurred_at=timezone.now())


def test_token_is_long_and_comes_from_the_secrets_module(team, leader, monkeypatch):
    calls = []
    real = secrets.token_urlsafe

    def spy(nbytes=None):
        value = real(nbytes)
        calls.append((nbytes, value))
        return value

    monkeypatch.setattr(kiosk_service.secrets, "token_urlsafe", spy)
    link = kiosk_link_create(team=team, actor=leader)
    assert calls == [(32, link.token)]
    assert len(link.token) >= 43  # 32 random bytes, URL-safe base64
    assert kiosk_service.secrets is secrets
    other = kiosk_link_create(team=team, actor=leader)
    assert other.token != link.token


def test_a_valid_link_shows_the_teams_board_without_login(client, link, producer, other_agency):
    celebrate(producer, "Pat Producer moved Acme to Contacted")
    theirs = ProducerFactory(agency=other_agency, user__first_name="Stranger")
    celebrate(theirs, "Stranger moved Secret Co to Bound")
    response = client.get(kiosk_url(link))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pat Producer moved Acme to Contacted" in page
    assert "Secret Co" not in page and "Stranger" not in page
    assert "Log out" not in page
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_link_never_shows_another_team(client, agency, link, producer):
    south = TeamFactory(agency=agency, name="South")
    southerner = ProducerFactory(agency=agency, team=south, user__first_name="Southy")
    celebrate(southerner, "Southy moved Hidden Co to Bound")
    meeting_start(team=south, week_start=Week.current(agency).start - dt.timedelta(days=7),
                  actor=ProducerFactory(agency=agency, team=south, role="leader"))
    page = client.get(kiosk_url(link)).content.decode()
    assert "Hidden Co" not in page and "Southy" not in page
    assert "South" not in page


def test_it_shows_the_running_meeting_and_follows_it(client, link, team, leader, producer):
    meeting = meeting_start(team=team, week_start=Week.current(team.agency).start
                            - dt.timedelta(days=7), actor=leader)
    page = client.get(kiosk_url(link)).content.decode()
    assert 'id="meeting-stage"' in page and 'data-at="wins:0:0"' in page
    assert "<form" not in page  # read-only: nothing to submit
    key = f"m{meeting.pk}.{meeting.version}"
    poll = kiosk_url(link, "kiosk_poll")
    assert client.get(f"{poll}?k={key}").status_code == 204
    Meeting.objects.filter(pk=meeting.pk).update(section="turns", version=2)
    moved = client.get(f"{poll}?k={key}")
    assert moved.status_code == 200
    assert 'data-at="turns:0:0"' in moved.content.decode()
    assert f"?k=m{meeting.pk}.2" in moved.content.decode()


def test_every_write_is_refused_with_405(client, link, team, leader):
    meeting = meeting_start(team=team, week_start=Week.current(team.agency).start
                            - dt.timedelta(days=7), actor=leader)
    for path in (kiosk_url(link), kiosk_url(link, "kiosk_poll")):
        for method in ("post", "put", "patch", "delete", "options"):
            response = getattr(client, method)(path, {"direction": "next"})
            assert response.status_code == 405, (method, path)
    assert client.head(kiosk_url(link)).status_code == 200
    meeting.refresh_from_db()
    assert (meeting.section, meeting.version) == ("wins", 1)


def test_revoking_makes_it_410_at_once(client, link, leader):
    # Issue 10 #12: a revoked link answers 410 Gone (an open TV clears itself on it); it
    # used to answer 404 like an unknown token, which stays 404.
    assert client.get(kiosk_url(link)).status_code == 200
    kiosk_link_revoke(link=link, actor=leader)
    assert client.get(kiosk_url(link)).status_code == 410
    assert client.get(kiosk_url(link, "kiosk_poll") + "?k=x").status_code == 410


def test_unknown_or_malformed_tokens_are_404(client, link):
    for token in ("nope", link.token[:-1], link.token + "x", "x" * 70):
        assert client.get(reverse("accountability:kiosk", args=[token])).status_code == 404


def test_leaders_create_and_revoke_links_from_the_meeting_page(leader_client, team):
    response = leader_client.post(reverse("accountability:meeting_kiosk_create"),
                                  {"team": team.pk, "label": "Lobby"})
    assert response.status_code == 302
    link = KioskLink.objects.get()
    home = leader_client.get(reverse("accountability:meetings")).content.decode()
    assert link.token in home and "Lobby" in home
    leader_client.post(reverse("accountability:meeting_kiosk_revoke", args=[link.pk]))
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert link.token not in leader_client.get(reverse("accountability:meetings")).content.decode()


def test_a_too_long_label_is_shown_next_to_the_field(leader_client, team):
    response = leader_client.post(reverse("accountability:meeting_kiosk_create"),
                                  {"team": team.pk, "label": "x" * 81})
    assert response.status_code == 400
    assert "at most 80 characters" in response.content.decode()
    assert not KioskLink.objects.exists()


def test_producers_and_other_agencies_cannot_manage_links(client, link, producer,
                                                          other_agency, team):
    login(client, producer)
    assert client.post(reverse("accountability:meeting_kiosk_create"),
                       {"team": team.pk}).status_code == 404
    assert client.post(reverse("accountability:meeting_kiosk_revoke",
                               args=[link.pk])).status_code == 404
    login(client, ProducerFactory(agency=other_agency, role="owner"))
    assert client.post(reverse("accountability:meeting_kiosk_revoke",
                               args=[link.pk])).status_code == 404
    response = client.post(reverse("accountability:meeting_kiosk_create"), {"team": team.pk})
    assert response.status_code == 400
    link.refresh_from_db()
    assert link.revoked_at is None and KioskLink.objects.count() == 1


def kiosk_costs(client, link, team, leader) -> dict:
    costs = {}
    poll = kiosk_url(link, "kiosk_poll")
    for label in ("board", "meeting"):
        if label == "meeting":
            meeting_start(team=team, week_start=Week.current(team.agency).start
                          - dt.timedelta(days=7), actor=leader)
        with CaptureQueriesContext(connection) as ctx:
            client.get(kiosk_url(link))
        costs[label] = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{poll}?k=stale").status_code == 200
        costs[f"{label}-poll-changed"] = len(ctx.captured_queries)
    key = client.get(kiosk_url(link)).content.decode().split('data-key="')[1].split('"')[0]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"{poll}?k={key}").status_code == 204
    costs["poll-unchanged"] = len(ctx.captured_queries)
    return costs


def test_kiosk_queries_do_not_grow_with_the_team(client, agency):
    costs = []
    for size in (2, 12):
        team = TeamFactory(agency=agency, name=f"Team of {size}")
        boss = ProducerFactory(agency=agency, team=team, role="leader")
        for i in range(size):
            person = ProducerFactory(agency=agency, team=team)
            celebrate(person, f"{size}-{i} moved a prospect")
        link = kiosk_link_create(team=team, actor=boss)
        costs.append(kiosk_costs(client, link, team, boss))
    print(costs)
    assert costs[0] == costs[1]
    assert costs[1]["poll-unchanged"] == 2


def test_between_meetings_the_latest_wins_say_when_they_happened(client, link, producer):
    week = Week.current(producer.agency).start
    Celebration.objects.create(
        agency=producer.agency, producer=producer, kind=Celebration.Kind.PERSONAL_BEST,
        source_key="t:old", week_start=week - dt.timedelta(days=7), title="Last week's best",
        occurred_at=timezone.now() - dt.timedelta(days=8))
    page = client.get(reverse("accountability:kiosk", args=[link.token])).content.decode()
    assert "Latest wins" in page
    when = timezone.localtime(timezone.now() - dt.timedelta(days=8),
                              producer.agency.tz).strftime("%b %-d")
    assert f'Last week&#x27;s best</span><span class="line-when">{when}</span>' in page
