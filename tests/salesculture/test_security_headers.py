"""What a browser, a proxy and a deploy check see: private pages are never stored, HTMX
variants are told apart, the kiosk keeps its own policy, the built-in demo key is flagged."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accountability.models import KioskLink
from tests.conftest import login

BASE_DIR = Path(settings.BASE_DIR)


@pytest.mark.parametrize("url", ["/week/", "/pipeline/", "/team/", "/profile/", "/plan/",
                                 "/commitments/", "/pipeline/prospects/new/"])
def test_a_logged_in_persons_pages_are_never_stored(producer_client, url):
    response = producer_client.get(url)

    assert response.status_code == 200
    cache = response["Cache-Control"]
    assert "no-store" in cache and "private" in cache
    vary = {v.strip().lower() for v in response["Vary"].split(",")}
    assert {"cookie", "hx-request"} <= vary


def test_an_htmx_partial_says_it_differs_from_the_page(producer_client):
    response = producer_client.get("/pipeline/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="board")

    assert "hx-request" in response["Vary"].lower()
    assert "no-store" in response["Cache-Control"]


def test_a_poll_keeps_its_own_no_store_and_a_kiosk_its_own_policy(client, producer, team,
                                                                   leader):
    link = KioskLink.objects.create(agency=team.agency, team=team, token="k" * 43,
                                    created_by=leader)
    kiosk = client.get(reverse("accountability:kiosk", args=[link.token]))
    assert kiosk["Cache-Control"] == "no-store"
    assert kiosk["Referrer-Policy"] == "no-referrer"

    login(client, producer)
    poll = client.get("/live/wins/?v=-1")
    assert poll["Cache-Control"] == "no-store"


def test_pages_refuse_framing_and_sniffing(producer_client):
    response = producer_client.get("/week/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_session_and_csrf_cookies_are_not_readable_by_scripts_where_it_matters(client,
                                                                               producer):
    client.get("/login/")
    response = client.post("/login/", {"username": producer.user.username,
                                       "password": "test-pass-123"})
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"


@pytest.mark.skipif((BASE_DIR / ".env").exists(), reason="a local .env may set SECRET_KEY")
def test_deploy_check_refuses_the_built_in_demo_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(DEBUG="0", ALLOWED_HOSTS="example.org", SECURE_SSL_REDIRECT="1",
               SESSION_COOKIE_SECURE="1", CSRF_COOKIE_SECURE="1",
               SECURE_HSTS_SECONDS="31536000")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout
