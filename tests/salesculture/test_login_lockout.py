"""Brute force on the login page (issue 11 #6): django-axes locks a username + address."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

LOCKED = ("Too many failed attempts for this username from this address. "
          "Try again in 15 minutes.")


def _text(response) -> str:
    """The page as read: whitespace collapsed, as a browser shows it."""
    return " ".join(response.content.decode().split())


def _log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def _fail_five_times(client, username):
    for _ in range(4):
        response = _log_in(client, username, "wrong-password")
        assert response.status_code == 200
        assert LOCKED not in _text(response)
    # The fifth failure locks at once and says so.
    response = _log_in(client, username, "wrong-password")
    assert response.status_code == 429
    assert LOCKED in _text(response)
    assert "_auth_user_id" not in client.session


@pytest.fixture
def locked_pat(client, producer):
    _fail_five_times(client, "pat")
    return client


def test_a_wrong_password_shows_the_form_again_without_locking(client, producer):
    response = _log_in(client, "pat", "wrong-password")

    assert response.status_code == 200
    assert LOCKED not in _text(response)
    assert _log_in(client, "pat", PASSWORD).status_code == 302


def test_after_five_failures_the_right_password_is_refused_with_the_reason(locked_pat):
    response = _log_in(locked_pat, "pat", PASSWORD)

    assert response.status_code == 429
    assert LOCKED in _text(response)
    assert "_auth_user_id" not in locked_pat.session
    assert locked_pat.get(reverse("profile")).status_code == 302


def test_the_lockout_is_visible_to_owners_in_the_admin(locked_pat):
    attempt = AccessAttempt.objects.get()

    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "pat", "127.0.0.1", 5)


def test_another_username_from_the_same_address_is_not_locked(locked_pat, leader):
    assert _log_in(locked_pat, "lee", PASSWORD).status_code == 302
    assert locked_pat.get(reverse("profile")).status_code == 200


def test_the_same_username_from_another_address_is_not_locked(locked_pat):
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")

    assert _log_in(elsewhere, "pat", PASSWORD).status_code == 302


def test_after_the_cool_off_the_right_password_works_again(locked_pat):
    # given: the failures are now 16 minutes old
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))

    # when
    response = _log_in(locked_pat, "pat", PASSWORD)

    # then
    assert response.status_code == 302
    assert locked_pat.get(reverse("profile")).status_code == 200


def test_still_locked_one_minute_before_the_cool_off_ends(locked_pat):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))

    assert _log_in(locked_pat, "pat", PASSWORD).status_code == 429


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_behind_a_proxy_a_forged_forwarded_for_does_not_escape_the_lock(behind_one_proxy,
                                                                       producer):
    # The proxy (10.0.0.1) appends the real address; the attacker writes a new one each time.
    attempts = [Client(REMOTE_ADDR="10.0.0.1",
                       HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7") for n in range(6)]
    statuses = [_log_in(client, "pat", "wrong-password").status_code for client in attempts]

    assert statuses == [200, 200, 200, 200, 429, 429]
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"


def test_behind_a_proxy_people_at_other_addresses_are_not_locked_out(behind_one_proxy,
                                                                     producer):
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for _ in range(5):
        _log_in(attacker, "pat", "wrong-password")

    pat = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert _log_in(pat, "pat", PASSWORD).status_code == 302


def test_without_proxies_the_forwarded_for_header_is_ignored(producer):
    # Nothing configured: a client writing its own X-Forwarded-For changes nothing.
    attempts = [Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
                for n in range(5)]
    assert [_log_in(c, "pat", "wrong-password").status_code for c in attempts][-1] == 429
