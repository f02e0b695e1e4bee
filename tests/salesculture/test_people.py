"""Settings → People: who sees it, deactivating and reactivating, changing roles, and a
query count that does not grow with the agency."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accountability.meetings.services import meeting_start
from accountability.models import WeeklyScorecard
from accountability.scorecards.selectors import team_scorecard
from salesculture.invitations import invitation_create
from salesculture.models import AuditEvent, Producer
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import PASSWORD, ActivityFactory, ProducerFactory, TeamFactory
from tests.queries import queries_of


@pytest.fixture
def owner_client(client, owner):
    return login(client, owner)


def test_the_owner_sees_everyone_with_role_team_status_and_pending_invitations(
        owner_client, owner, leader, producer, agency):
    south = TeamFactory(agency=agency, name="South")
    ProducerFactory(agency=agency, team=south, is_active=False,
                           user__first_name="Gina", user__last_name="Gone")
    invitation_create(actor=owner, email="ana@example.com", name="Ana Lopez",
                      role="leader", team=south)

    page = owner_client.get(reverse("people")).content.decode()

    for name in ("Olive Owner", "Lee Leader", "Pat Producer", "Gina Gone", "Ana Lopez"):
        assert name in page
    assert "Deactivated" in page and "South" in page and "ana@example.com" in page
    assert page.index("Olive Owner") < page.index("Pat Producer") < page.index("Gina Gone")
    # the owner's own row offers no deactivation of themself
    assert reverse("person_active", args=[owner.pk]) not in page
    assert reverse("person_active", args=[producer.pk]) in page


def test_a_leader_sees_their_team_only_and_no_role_or_access_controls(
        leader_client, leader, producer, agency, owner):
    south = TeamFactory(agency=agency, name="South")
    ProducerFactory(agency=agency, team=south, user__first_name="Sam")
    invitation_create(actor=owner, email="s@example.com", name="Southern Invitee",
                      role="producer", team=south)

    page = leader_client.get(reverse("people")).content.decode()

    assert "Pat Producer" in page and "Sam" not in page and "Southern Invitee" not in page
    assert reverse("person_active", args=[producer.pk]) not in page
    response = leader_client.post(reverse("person_active", args=[producer.pk]),
                                  {"active": "0"})
    assert response.status_code == 404
    assert Producer.objects.get(pk=producer.pk).is_active


@pytest.mark.parametrize("url", ["/settings/people/", "/invite/"])
def test_a_producer_cannot_reach_the_people_pages(producer_client, url):
    assert producer_client.get(url).status_code == 404
    assert producer_client.post(url, {"email": "x@example.com", "name": "X",
                                      "role": "producer"}).status_code == 404


def test_a_visitor_is_sent_to_log_in(client, db):
    response = client.get("/settings/people/")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_deactivated_person_cannot_log_in_and_drops_off_the_boards_and_meetings(
        owner_client, owner, leader, producer, team, agency):
    # given: Pat is logged in on their phone and on this week's board
    week = Week.current(agency).start
    ActivityFactory(producer=producer)
    WeeklyScorecard.objects.create(agency=agency, producer=producer, week_start=week,
                                   computed_at=timezone.now())
    phone = login(Client(), producer)
    assert producer.pk in [row.producer.pk for row in team_scorecard(actor=leader, week=week).rows]

    # when
    response = owner_client.post(reverse("person_active", args=[producer.pk]),
                                 {"active": "0"}, follow=True)

    # then
    assert "Pat Producer is deactivated" in response.content.decode()
    producer.refresh_from_db()
    assert not producer.is_active and not producer.user.is_active
    assert phone.get("/week/").status_code in (302, 403)
    refused = Client().post("/login/", {"username": "pat", "password": PASSWORD})
    assert refused.status_code == 200 and "correct username and password" in \
        refused.content.decode()
    assert producer.pk not in [row.producer.pk for row in team_scorecard(actor=leader,
                                                                          week=week).rows]
    meeting = meeting_start(team=team, week_start=week, actor=leader)
    assert producer.pk not in meeting.turns.values_list("producer_id", flat=True)
    # the history stays
    assert producer.activities.count() == 1
    assert AuditEvent.objects.filter(kind="producer.deactivated", subject_id=producer.pk,
                                     actor=owner).count() == 1


def test_a_reactivated_person_logs_in_again(owner_client, producer):
    owner_client.post(reverse("person_active", args=[producer.pk]), {"active": "0"})
    owner_client.post(reverse("person_active", args=[producer.pk]), {"active": "1"})
    producer.refresh_from_db()
    assert producer.is_active and producer.user.is_active
    assert Client().post("/login/", {"username": "pat", "password": PASSWORD}
                         ).status_code == 302
    kinds = list(AuditEvent.objects.filter(subject_id=producer.pk)
                 .values_list("kind", flat=True).order_by("pk"))
    assert kinds == ["producer.deactivated", "producer.reactivated"]


def test_the_owner_changes_a_role(owner_client, producer):
    response = owner_client.post(reverse("person_role", args=[producer.pk]),
                                 {"role": "leader"}, follow=True)
    assert "Pat Producer is now leader" in response.content.decode()
    assert Producer.objects.get(pk=producer.pk).role == "leader"
    assert AuditEvent.objects.filter(kind="role.changed", subject_id=producer.pk).exists()


def test_a_bad_role_changes_nothing(owner_client, producer):
    response = owner_client.post(reverse("person_role", args=[producer.pk]),
                                 {"role": "emperor"}, follow=True)
    assert "Choose one of the listed roles" in response.content.decode()
    assert Producer.objects.get(pk=producer.pk).role == "producer"
    assert not AuditEvent.objects.exists()


def test_an_owner_cannot_lock_themself_out(owner_client, owner):
    owner_client.post(reverse("person_role", args=[owner.pk]), {"role": "producer"})
    response = owner_client.post(reverse("person_active", args=[owner.pk]), {"active": "0"},
                                 follow=True)
    assert "cannot change your own role or access" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == "owner" and owner.is_active


def test_another_agencys_person_answers_404(owner_client, other_producer):
    for name in ("person_role", "person_active"):
        response = owner_client.post(reverse(name, args=[other_producer.pk]),
                                     {"role": "leader", "active": "0"})
        assert response.status_code == 404
    other_producer.refresh_from_db()
    assert other_producer.is_active and other_producer.role == "producer"


def test_the_history_page_tells_the_invitations(owner_client, owner, team):
    invitation, _ = invitation_create(actor=owner, email="ana@example.com", name="Ana Lopez",
                                      role="producer", team=team)
    owner_client.post(reverse("invitation_resend", args=[invitation.pk]))
    owner_client.post(reverse("invitation_revoke", args=[invitation.pk]))
    page = owner_client.get(reverse("audit")).content.decode()
    assert "Olive Owner invited Ana Lopez (ana@example.com) as producer" in page
    assert "Olive Owner invited Ana Lopez (ana@example.com) again" in page
    assert "Olive Owner revoked the invitation of Ana Lopez (ana@example.com)" in page


def _grow(agency, owner, teams, n, start=0):
    for i in range(start, start + n):
        team = teams[i % len(teams)]
        ProducerFactory(agency=agency, team=team, is_active=bool(i % 3))
        invitation_create(actor=owner, email=f"invitee{team.pk}-{i}@example.com",
                          name=f"Invitee {i}", role="producer", team=team)


def test_the_people_page_costs_the_same_queries_however_many_people(client, owner, agency,
                                                                    team, settings):
    settings.INVITATIONS_PER_HOUR = 1000
    teams = [team, TeamFactory(agency=agency, name="South")]
    login(client, owner)
    _grow(agency, owner, teams, 2)
    small = queries_of(client.get, reverse("people"))
    _grow(agency, owner, teams, 12, start=2)
    large = queries_of(client.get, reverse("people"))
    assert small == large


def test_an_expired_invitation_shows_as_expired_with_send_again(owner_client, owner, team):
    invitation, _ = invitation_create(actor=owner, email="ana@example.com", name="Ana Lopez",
                                      role="producer", team=team)
    type(invitation).objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(hours=1))
    page = owner_client.get(reverse("people")).content.decode()
    assert "Expired" in page
    assert reverse("invitation_resend", args=[invitation.pk]) in page


def _crowd(agency, team, n: int) -> list[Producer]:
    return [ProducerFactory(agency=agency, team=team, user__first_name=f"Person{i:03d}",
                            user__last_name="Crowd") for i in range(n)]


def test_an_agency_of_fifty_is_listed_forty_at_a_time(owner_client, owner, agency, team):
    _crowd(agency, team, 49)
    first = owner_client.get(reverse("people")).content.decode()
    assert first.count('class="person-name"') == 40
    assert "1–40 of 50" in first and 'rel="next"' in first
    second = owner_client.get(reverse("people"), {"page": 2}).content.decode()
    assert second.count('class="person-name"') == 10 and 'rel="prev"' in second
    assert "Person048 Crowd" in second and "Person048 Crowd" not in first


def test_a_search_is_kept_from_page_to_page(owner_client, agency, team):
    _crowd(agency, team, 45)
    html = owner_client.get(reverse("people"), {"find": "crowd person"}).content.decode()
    assert "1–40 of 45" in html and 'href="?find=crowd%20person&amp;page=2">Next →' in html


def test_someone_is_found_by_name_or_email_whatever_page_they_are_on(owner_client, agency,
                                                                    team):
    _crowd(agency, team, 60)
    renata = ProducerFactory(agency=agency, team=team, user__first_name="Renata",
                             user__last_name="Zwick", user__email="rz@example.com")
    html = owner_client.get(reverse("people"), {"find": "renata zw"}).content.decode()
    assert html.count('class="person-name"') == 1 and f'id="person-{renata.pk}"' in html
    by_email = owner_client.get(reverse("people"), {"find": "rz@example"}).content.decode()
    assert by_email.count('class="person-name"') == 1
    nobody = owner_client.get(reverse("people"), {"find": "Xylophone"}).content.decode()
    assert "Nobody’s name or email holds “Xylophone”." in nobody


def test_a_change_on_page_two_returns_to_page_two_at_the_persons_row(owner_client, agency,
                                                                     team):
    crowd = _crowd(agency, team, 60)
    last = crowd[-1]
    back = reverse("people") + "?page=2"
    response = owner_client.post(reverse("person_role", args=[last.pk]),
                                 {"role": "leader", "back": back})
    assert response.url == f"{back}#person-{last.pk}"
    elsewhere = owner_client.post(reverse("person_active", args=[last.pk]),
                                  {"active": "0", "back": "https://evil.example/"})
    assert elsewhere.url == reverse("people") + f"#person-{last.pk}"
