"""Session lifetime (issue 11 #8): idle timeout, absolute lifetime, "log out everywhere"."""

import time
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login

HOUR = 3600


@pytest.fixture
def clock(monkeypatch):
    """The session middleware's clock, moved forward by `clock.advance(seconds)`."""
    state = SimpleNamespace(now=time.time())
    state.advance = lambda seconds: setattr(state, "now", state.now + seconds)
    monkeypatch.setattr("salesculture.sessions.time", SimpleNamespace(time=lambda: state.now))
    return state


def _is_logged_in(client) -> bool:
    response = client.get(reverse("profile"))
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    return False


def test_a_session_idle_past_12_hours_is_sent_to_the_login_page(producer_client, clock):
    clock.advance(12 * HOUR + 1)

    response = producer_client.get(reverse("profile"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('profile')}"
    login_page = producer_client.get(response.url).content.decode()
    assert "logged out after a while without activity" in login_page
    assert "_auth_user_id" not in producer_client.session


def test_an_active_session_is_kept_past_12_hours(producer_client, clock):
    for _ in range(3):
        clock.advance(11 * HOUR)
        assert _is_logged_in(producer_client)


def test_past_14_days_the_session_ends_even_when_active(producer_client, clock):
    hours = 0
    while hours + 11 <= 14 * 24:
        clock.advance(11 * HOUR)
        hours += 11
        assert _is_logged_in(producer_client), f"logged out after {hours} h"

    clock.advance(11 * HOUR)

    assert not _is_logged_in(producer_client)


def test_log_out_everywhere_ends_every_session_of_that_person_only(producer, leader):
    # given: Pat on a laptop and a phone, Lee on their own computer
    laptop, phone, lee = login(Client(), producer), login(Client(), producer), login(
        Client(), leader)
    assert "Log out everywhere" in laptop.get(reverse("profile")).content.decode()

    # when
    response = laptop.post(reverse("profile"), {"action": "logout_everywhere"})

    # then
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not _is_logged_in(laptop)
    assert not _is_logged_in(phone)
    assert _is_logged_in(lee)


def test_after_log_out_everywhere_a_new_login_works(producer):
    laptop = login(Client(), producer)
    laptop.post(reverse("profile"), {"action": "logout_everywhere"})

    login(laptop, producer)

    assert _is_logged_in(laptop)


def test_log_out_everywhere_needs_a_post(producer_client):
    producer_client.get(reverse("profile"), {"action": "logout_everywhere"})

    assert _is_logged_in(producer_client)
