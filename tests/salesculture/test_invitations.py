"""Inviting people: the email's one-time link, its expiry, revoking and sending again, and
who may invite whom."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from salesculture.invitations import invitation_create
from salesculture.models import AuditEvent, Invitation, Producer
from tests.conftest import login
from tests.factories import ProducerFactory, TeamFactory

PASSWORD = {"new_password1": "quiet-meadow-77", "new_password2": "quiet-meadow-77"}


@pytest.fixture
def owner_client(client, owner):
    return login(client, owner)


def invite(client, team, **extra):
    data = {"name": "Ana Lopez", "email": "Ana@Example.com", "role": "producer",
            "team": team.pk, "annual_goal": "150000", **extra}
    return client.post(reverse("invite"), data)


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0).split("testserver", 1)[1]


def test_an_owner_invites_and_the_invitee_sets_a_password_and_lands_on_the_why_page(
        owner_client, owner, team, client):
    response = invite(owner_client, team)

    assert response.status_code == 302 and response.url == reverse("people")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.name, invitation.role, invitation.team) == (
        "ana@example.com", "Ana Lopez", "producer", team)
    assert invitation.expires_at - invitation.sent_at == dt.timedelta(days=7)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.com"]
    assert "Summit Test Agency" in mail.outbox[0].subject
    link = link_in(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(Invitation.objects.values_list())  # only its hash is stored
    people = owner_client.get(reverse("people")).content.decode()
    assert "Ana Lopez" in people and "Invited" in people

    owner_client.post("/logout/")
    page = client.get(link)
    assert page.status_code == 200 and "Join Summit Test Agency" in page.content.decode()
    accepted = client.post(link, PASSWORD, follow=True)

    ana = Producer.objects.get(user__email="ana@example.com")
    assert (ana.agency, ana.team, ana.role, ana.name) == (owner.agency, team, "producer",
                                                         "Ana Lopez")
    assert ana.annual_goal == 150000
    assert ana.user.check_password("quiet-meadow-77")
    assert accepted.redirect_chain[-1][0].startswith(reverse("accountability:welcome"))
    assert "Welcome to Summit Test Agency, Ana Lopez" in accepted.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.producer == ana
    kinds = list(AuditEvent.objects.values_list("kind", flat=True).order_by("pk"))
    assert kinds == ["invitation.sent", "invitation.accepted"]


def test_the_link_works_once(owner, team, client):
    _, token = invitation_create(actor=owner, email="ana@example.com", name="Ana Lopez",
                                 role="producer", team=team)
    url = reverse("invitation_accept", args=[token])
    assert client.post(url, PASSWORD).status_code == 302
    client.post("/logout/")

    again = client.post(url, {"new_password1": "other-secret-88",
                              "new_password2": "other-secret-88"})

    assert again.status_code == 400
    assert "already used" in again.content.decode()
    assert Producer.objects.filter(user__email="ana@example.com").count() == 1
    assert Producer.objects.get(user__email="ana@example.com").user.check_password(
        "quiet-meadow-77")
    assert client.get(url).status_code == 410


def test_an_expired_link_is_refused(owner, team, client):
    invitation, token = invitation_create(actor=owner, email="ana@example.com",
                                          name="Ana Lopez", role="producer", team=team)
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=8),
        expires_at=timezone.now() - dt.timedelta(days=1))
    url = reverse("invitation_accept", args=[token])

    page = client.get(url)
    assert page.status_code == 410 and "has expired" in page.content.decode()
    assert client.post(url, PASSWORD).status_code == 400
    assert not Producer.objects.filter(user__email="ana@example.com").exists()


def test_a_revoked_link_is_refused(owner_client, owner, team, client):
    invitation, token = invitation_create(actor=owner, email="ana@example.com",
                                          name="Ana Lopez", role="producer", team=team)
    response = owner_client.post(reverse("invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    owner_client.post("/logout/")

    refused = client.post(reverse("invitation_accept", args=[token]), PASSWORD)

    assert refused.status_code == 400 and "withdrawn" in refused.content.decode()
    assert not Producer.objects.filter(user__email="ana@example.com").exists()
    assert AuditEvent.objects.filter(kind="invitation.revoked").count() == 1


def test_sending_again_kills_the_old_link(owner_client, owner, team, client):
    invitation, old = invitation_create(actor=owner, email="ana@example.com",
                                        name="Ana Lopez", role="producer", team=team)
    owner_client.post(reverse("invitation_resend", args=[invitation.pk]))
    new_link = link_in(mail.outbox[-1])
    owner_client.post("/logout/")

    assert client.get(reverse("invitation_accept", args=[old])).status_code == 404
    assert client.post(reverse("invitation_accept", args=[old]), PASSWORD).status_code == 404
    assert client.post(new_link, PASSWORD).status_code == 302
    assert Producer.objects.filter(user__email="ana@example.com").count() == 1


def test_an_unknown_link_is_not_found(client, db):
    assert client.get(reverse("invitation_accept", args=["nope"])).status_code == 404
    assert client.post(reverse("invitation_accept", args=["x" * 300]), PASSWORD
                       ).status_code == 404


def test_a_bad_password_is_answered_by_django_validators_and_creates_nothing(owner, team,
                                                                              client):
    _, token = invitation_create(actor=owner, email="ana@example.com", name="Ana Lopez",
                                 role="producer", team=team)
    url = reverse("invitation_accept", args=[token])
    response = client.post(url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 400
    assert "This password is too short" in response.content.decode()
    differ = client.post(url, {"new_password1": "quiet-meadow-77",
                               "new_password2": "quiet-meadow-78"})
    assert "didn’t match" in differ.content.decode()
    assert not Producer.objects.filter(user__email="ana@example.com").exists()


def test_an_email_that_has_an_account_gets_a_clear_message(owner_client, producer, team):
    response = invite(owner_client, team, email=producer.user.email.upper())
    assert response.status_code == 400
    assert "already has an account" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_account_made_meanwhile_is_told_at_the_link(owner, team, client):
    _, token = invitation_create(actor=owner, email="ana@example.com", name="Ana Lopez",
                                 role="producer", team=team)
    ProducerFactory(agency=owner.agency, user__email="ana@example.com")
    response = client.post(reverse("invitation_accept", args=[token]), PASSWORD)
    assert response.status_code == 400
    assert "already has an account" in response.content.decode()


def test_inviting_the_same_address_twice_points_to_send_again(owner_client, team):
    invite(owner_client, team)
    response = invite(owner_client, team, name="Ana Again")
    assert response.status_code == 400
    assert "already invited" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_bad_input_is_answered_next_to_the_field(owner_client, team):
    response = owner_client.post(reverse("invite"), {
        "name": "", "email": "nope", "role": "emperor", "team": "999999",
        "annual_goal": "12"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in page
    assert "Enter a valid email address." in page
    assert "Select a valid choice. emperor" in page
    assert "too small to plan a year by" in page
    assert not Invitation.objects.exists()


def test_a_leader_invites_only_producers_into_their_own_team(leader, agency, team, client):
    south = TeamFactory(agency=agency, name="South")
    login(client, leader)
    form = client.get(reverse("invite")).content.decode()
    assert 'value="leader"' not in form and "South" not in form

    as_owner = invite(client, team, role="owner")
    elsewhere = invite(client, south, email="bo@example.com")
    ok = invite(client, team, email="cy@example.com")

    assert as_owner.status_code == 400 and elsewhere.status_code == 400
    assert ok.status_code == 302
    assert list(Invitation.objects.values_list("email", "role", "team")) == [
        ("cy@example.com", "producer", team.pk)]


def test_the_service_refuses_a_leader_too(leader, agency, team):
    from django.core.exceptions import ValidationError

    south = TeamFactory(agency=agency, name="South")
    with pytest.raises(ValidationError):
        invitation_create(actor=leader, email="a@example.com", name="A", role="leader",
                          team=team)
    with pytest.raises(ValidationError):
        invitation_create(actor=leader, email="a@example.com", name="A", role="producer",
                          team=south)
    assert not Invitation.objects.exists()


def test_a_team_of_another_agency_cannot_be_chosen(owner_client, other_agency):
    stranger_team = TeamFactory(agency=other_agency, name="Elsewhere")
    response = invite(owner_client, stranger_team)
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_another_agencys_invitation_answers_404_to_resend_and_revoke(owner_client,
                                                                     other_agency):
    stranger = ProducerFactory(agency=other_agency, role="owner")
    invitation, token = invitation_create(actor=stranger, email="x@example.com", name="X",
                                          role="producer", team=None)
    for name in ("invitation_resend", "invitation_revoke"):
        assert owner_client.post(reverse(name, args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert mail.outbox == []


def test_the_link_makes_a_member_of_the_inviting_agency_only(other_agency, client):
    stranger = ProducerFactory(agency=other_agency, role="owner")
    _, token = invitation_create(actor=stranger, email="x@example.com", name="Xavier Y",
                                 role="producer", team=stranger.team)
    client.post(reverse("invitation_accept", args=[token]), PASSWORD)
    assert Producer.objects.get(user__email="x@example.com").agency == other_agency


def test_a_leader_cannot_resend_another_teams_invitation(leader, owner, agency, client):
    south = TeamFactory(agency=agency, name="South")
    invitation, _ = invitation_create(actor=owner, email="s@example.com", name="S",
                                      role="producer", team=south)
    login(client, leader)
    assert client.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 404


def test_invitations_are_throttled_per_agency(owner_client, team, settings):
    settings.INVITATIONS_PER_HOUR = 2
    statuses = [invite(owner_client, team, email=f"p{n}@example.com").status_code
                for n in range(3)]
    assert statuses == [302, 302, 400]
    assert Invitation.objects.count() == 2
    assert len(mail.outbox) == 2
    page = invite(owner_client, team, email="late@example.com").content.decode()
    assert "wait a while" in page


def test_a_failing_mail_server_keeps_the_invitation_to_send_again(owner_client, team,
                                                                  monkeypatch):
    def broken(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    response = owner_client.post(reverse("invite"), {
        "name": "Ana Lopez", "email": "ana@example.com", "role": "producer", "team": team.pk,
        "annual_goal": "0"}, follow=True)
    assert "could not be sent" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_an_invitees_name_is_shown_escaped(owner_client, owner, team, client):
    evil = '<script>alert("x")</script>'
    _, token = invitation_create(actor=owner, email="ana@example.com", name=evil,
                                 role="producer", team=team)
    for page in (owner_client.get(reverse("people")),
                 client.get(reverse("invitation_accept", args=[token]))):
        assert "<script>alert" not in page.content.decode()
        assert "&lt;script&gt;" in page.content.decode()


def test_someone_logged_in_without_a_why_still_sees_the_invitation(owner, team, client):
    _, token = invitation_create(actor=owner, email="ana@example.com", name="Ana Lopez",
                                 role="producer", team=team)
    owner.why = ""
    owner.save()
    login(client, owner)
    page = client.get(reverse("invitation_accept", args=[token]))
    assert page.status_code == 200 and "Join Summit Test Agency" in page.content.decode()
