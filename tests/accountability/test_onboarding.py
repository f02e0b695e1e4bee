"""The why is part of onboarding: a producer without one is asked for it first."""

import pytest
from django.urls import reverse

from salesculture.models import Producer
from tests.conftest import login
from tests.factories import ProducerFactory


@pytest.fixture
def newcomer(agency, team):
    return ProducerFactory(agency=agency, team=team, why="", user__username="newbie")


def test_first_page_load_without_a_why_goes_to_the_why_page(client, newcomer):
    login(client, newcomer)
    response = client.get("/plan/?x=1")
    assert response.status_code == 302
    assert response["Location"] == "/welcome/?next=%2Fplan%2F%3Fx%3D1"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "why do you do this work?" in html
    assert "Paying off my parents" in html  # examples


def test_saving_the_why_returns_to_where_they_were_going(client, newcomer):
    login(client, newcomer)
    response = client.post("/welcome/", {"why": "  My kids'   college fund. ",
                                         "next": "/plan/"})
    assert response.status_code == 302 and response["Location"] == "/plan/"
    newcomer.refresh_from_db()
    assert newcomer.why == "My kids' college fund."
    assert client.get("/plan/").status_code == 200  # no more redirect


def test_a_too_short_why_is_refused_next_to_the_field(client, newcomer):
    login(client, newcomer)
    response = client.post("/welcome/", {"why": "money"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "at least a full sentence" in html and ">money</textarea>" in html
    newcomer.refresh_from_db()
    assert newcomer.why == ""


def test_unsafe_next_is_ignored(client, newcomer):
    login(client, newcomer)
    response = client.post("/welcome/", {"why": "For my family's future.",
                                         "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("path, headers", [
    ("/plan/", {"HTTP_HX_REQUEST": "true"}),
    ("/logout/", {}),
    ("/admin/", {}),
    ("/static/css/app.css", {}),
])
def test_htmx_and_system_requests_are_not_redirected(client, newcomer, path, headers):
    login(client, newcomer)
    response = client.get(path, **headers)
    assert not (response.status_code == 302 and "/welcome/" in response.get("Location", ""))


def test_posts_are_not_interrupted(client, newcomer):
    login(client, newcomer)
    response = client.post(reverse("accountability:check_in"),
                           {"process": "3", "pipeline": "3", "team": "3"})
    assert response.status_code == 302 and "/welcome/" not in response["Location"]


def test_people_with_a_why_and_non_producers_are_not_asked(client, producer, agency):
    login(client, producer)
    assert client.get("/plan/").status_code == 200
    staff = ProducerFactory(agency=agency, why="", role=Producer.Role.NON_PRODUCER)
    login(client, staff)
    response = client.get("/plan/")
    assert "/welcome/" not in response.get("Location", "")


def test_anonymous_visitors_go_to_login_not_welcome(client, db):
    response = client.get("/plan/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
