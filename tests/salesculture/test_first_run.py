"""The first run: a new install's owner creates the agency in the browser (or through the
one-time link of `manage.py agency_create`), lands logged in on the why page; the page closes
once an agency exists, or always when SIGNUP_ENABLED is off."""

import io
import re
import time

import pytest
from django.core import signing
from django.core.management import call_command
from django.urls import reverse

from pipeline.models import ActivityType, Stage
from pipeline.setup import setup_token_make
from salesculture.models import Agency, AuditEvent, Producer
from tests.factories import AgencyFactory

FORM = {"name": "Summit Insurance", "time_zone": "America/Denver", "owner_name": "Olive Owner",
        "email": "Olive@Example.com", "password1": "sunny-harbor-42",
        "password2": "sunny-harbor-42"}


def test_a_new_install_sends_the_first_visitor_to_the_first_run_page(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse("first_run")
    page = client.get(reverse("first_run"))
    assert page.status_code == 200
    assert "Set up your agency" in page.content.decode()


def test_the_first_run_creates_the_agency_and_its_owner_who_lands_on_the_why_page(client, db):
    response = client.post(reverse("first_run"), FORM, follow=True)

    agency = Agency.objects.get()
    assert (agency.name, agency.time_zone) == ("Summit Insurance", "America/Denver")
    owner = Producer.objects.get()
    assert (owner.agency, owner.role, owner.name) == (agency, "owner", "Olive Owner")
    assert owner.user.username == owner.user.email == "olive@example.com"
    assert owner.user.check_password("sunny-harbor-42")
    # the default sales process came with it
    assert Stage.objects.filter(agency=agency, name="Bound", kind="won").exists()
    assert ActivityType.objects.filter(agency=agency).count() >= 5
    assert AuditEvent.objects.filter(agency=agency, kind="agency.created").count() == 1
    # logged in, on the why page
    assert response.redirect_chain[-1][0].startswith(reverse("accountability:welcome"))
    assert "Summit Insurance is ready" in response.content.decode()


def test_the_owner_can_log_in_with_the_email_afterwards(client, db):
    client.post(reverse("first_run"), FORM)
    client.post("/logout/")
    response = client.post("/login/", {"username": "olive@example.com",
                                       "password": "sunny-harbor-42"})
    assert response.status_code == 302


def test_bad_input_is_answered_next_to_the_field_and_creates_nothing(client, db):
    response = client.post(reverse("first_run"), {
        **FORM, "name": "", "time_zone": "Mars/Olympus", "email": "not-an-email",
        "password1": "password", "password2": "password"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert "Select a valid choice" in page
    assert "Enter a valid email address." in page
    assert "This password is too common." in page
    assert not Agency.objects.exists()


def test_passwords_that_differ_are_refused(client, db):
    response = client.post(reverse("first_run"), {**FORM, "password2": "something-else-9"})
    assert response.status_code == 400
    assert "The two passwords differ." in response.content.decode()
    assert not Agency.objects.exists()


def test_the_page_closes_once_an_agency_exists(client, agency):
    assert client.get("/").url.startswith(reverse("login"))
    assert client.get(reverse("first_run")).status_code == 404
    response = client.post(reverse("first_run"), FORM)
    assert response.status_code == 404
    assert "New agencies are not created here" in response.content.decode()
    assert Agency.objects.count() == 1


def test_signup_off_closes_it_even_on_a_new_install(client, db, settings):
    settings.SIGNUP_ENABLED = False
    assert client.get("/").url.startswith(reverse("login"))
    assert client.post(reverse("first_run"), FORM).status_code == 404
    assert not Agency.objects.exists()


def test_signup_on_lets_a_hosted_instance_take_new_agencies(client, agency, settings):
    settings.SIGNUP_ENABLED = True
    response = client.post(reverse("first_run"), FORM)
    assert response.status_code == 302
    assert Agency.objects.count() == 2
    assert Producer.objects.get(user__username="olive@example.com").agency.name == \
        "Summit Insurance"


def test_an_email_with_an_account_is_told_to_log_in(client, db, settings):
    settings.SIGNUP_ENABLED = True
    client.post(reverse("first_run"), FORM)
    client.post("/logout/")
    response = client.post(reverse("first_run"), {**FORM, "name": "Second Agency"})
    assert response.status_code == 400
    assert "already has an account" in response.content.decode()
    assert Agency.objects.count() == 1


def test_the_command_prints_a_link_that_works_once(client, db, settings):
    settings.SIGNUP_ENABLED = False
    out = io.StringIO()
    call_command("agency_create", "Harbor Agency", "--time-zone", "America/New_York", stdout=out)
    link = re.search(r"https?://\S+", out.getvalue()).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    agency = Agency.objects.get()
    assert Stage.objects.filter(agency=agency).exists()

    page = client.get(f"/{path}")
    assert page.status_code == 200
    assert 'value="Harbor Agency"' in page.content.decode()
    response = client.post(f"/{path}", {**FORM, "name": "Harbor Agency",
                                        "time_zone": "America/New_York"})
    assert response.status_code == 302
    assert Agency.objects.count() == 1
    assert Producer.objects.get().agency == agency

    client.post("/logout/")
    again = client.post(f"/{path}", {**FORM, "email": "someone@example.com"})
    assert again.status_code == 404
    assert "This setup link does not work" in again.content.decode()
    assert Producer.objects.count() == 1


def test_an_expired_or_forged_setup_link_is_refused(client, db, monkeypatch):
    agency = AgencyFactory()
    token = setup_token_make(agency)
    assert client.get(reverse("first_run_link", args=[token])).status_code == 200
    assert client.get(reverse("first_run_link", args=[token + "x"])).status_code == 404
    assert client.get(reverse("first_run_link", args=["1:abc:def"])).status_code == 404
    eight_days_ago = time.time() - 8 * 86400
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: eight_days_ago)
        old = setup_token_make(agency)
    assert client.get(reverse("first_run_link", args=[old])).status_code == 404


@pytest.mark.parametrize("time_zone", ["", "Nowhere/Else"])
def test_the_command_refuses_a_bad_time_zone(db, time_zone):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("agency_create", "Harbor Agency", "--time-zone", time_zone,
                     stdout=io.StringIO())
    assert not Agency.objects.exists()
