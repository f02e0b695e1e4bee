"""Personal API tokens: made on the profile's tokens page and shown once, stored hashed,
revoked by their holder or an owner; a revoked or unknown token answers 401, and a token past
its rate 429 with Retry-After. The docs and the schema are served without a CDN."""

import re

import pytest
from django.utils import timezone

from salesculture.api_tokens import api_token_create, api_token_rate_take, token_hash
from salesculture.models import ApiToken, AuditEvent
from tests.api.client import ApiClient
from tests.conftest import login
from tests.factories import ProducerFactory


def test_a_token_is_made_shown_once_and_stored_hashed(client, producer):
    login(client, producer)

    response = client.post("/profile/tokens/", {"name": "Dialer"})

    assert response.status_code == 201
    page = response.content.decode()
    secret = re.search(r'value="(sc_[^"]+)"', page).group(1)
    assert "shown only this once" in page
    token = ApiToken.objects.get(producer=producer)
    assert (token.name, token.token_hash) == ("Dialer", token_hash(secret))
    assert secret not in client.get("/profile/tokens/").content.decode()
    assert AuditEvent.objects.filter(kind="api_token.created").count() == 1


def test_a_token_without_a_name_is_refused(client, producer):
    login(client, producer)
    response = client.post("/profile/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert "Name the token after where it is used" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_tokens_page_lists_last_use_and_the_profile_links_to_it(client, producer):
    _, secret = api_token_create(producer=producer, name="Dialer")
    ApiClient(client, secret).get("/stages")
    login(client, producer)
    page = client.get("/profile/tokens/").content.decode()
    assert "Dialer" in page and "last used" in page
    assert 'href="/profile/tokens/"' in client.get("/profile/").content.decode()


def test_a_revoked_token_answers_401(client, producer):
    token, secret = api_token_create(producer=producer, name="Dialer")
    api = ApiClient(client, secret)
    assert api.get("/stages").status_code == 200
    login(client, producer)

    client.post(f"/profile/tokens/{token.pk}/revoke/")

    response = api.get("/stages")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "revoked token no longer works" in response.json()["detail"]
    assert AuditEvent.objects.filter(kind="api_token.revoked").count() == 1


def test_answers_are_never_stored_by_a_browser_or_proxy(client, producer):
    api = ApiClient(client, api_token_create(producer=producer, name="Dialer")[1])
    for response in (api.get("/week"), api.get("/prospects/999"), ApiClient(client, None)
                     .get("/week")):
        assert "no-store" in response["Cache-Control"], response.status_code


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer sc_unknown", "Basic abc"])
def test_no_or_an_unknown_token_answers_401(client, producer, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/week", headers=headers)
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_a_logged_in_browser_session_is_not_an_api_token(client, producer):
    login(client, producer)
    assert client.get("/api/v1/week").status_code == 401


def test_a_deactivated_persons_token_stops_working(client, producer):
    _, secret = api_token_create(producer=producer, name="Dialer")
    producer.is_active = False
    producer.save()
    assert ApiClient(client, secret).get("/stages").status_code == 401


def test_an_owner_sees_and_revokes_every_token_of_the_agency(client, owner, producer,
                                                             other_producer):
    theirs, secret = api_token_create(producer=producer, name="Pat's dialer")
    api_token_create(producer=other_producer, name="Foreign dialer")
    login(client, owner)

    page = client.get("/settings/tokens/").content.decode()
    response = client.post(f"/profile/tokens/{theirs.pk}/revoke/",
                           {"next": "/settings/tokens/"})

    assert "Pat&#x27;s dialer" in page and "Pat Producer" in page
    assert "Foreign dialer" not in page
    assert response.status_code == 302 and response["Location"] == "/settings/tokens/"
    assert ApiClient(client, secret).get("/stages").status_code == 401


def test_others_tokens_are_not_a_producers_or_leaders_to_revoke(client, leader, producer,
                                                                 other_producer):
    theirs, _ = api_token_create(producer=producer, name="Dialer")
    foreign, _ = api_token_create(producer=other_producer, name="Foreign")
    login(client, leader)
    assert client.get("/settings/tokens/").status_code == 404
    assert client.post(f"/profile/tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/profile/tokens/{foreign.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 2


def test_an_owner_cannot_revoke_another_agencys_token(client, owner, other_producer):
    foreign, _ = api_token_create(producer=other_producer, name="Foreign")
    login(client, owner)
    assert client.post(f"/profile/tokens/{foreign.pk}/revoke/").status_code == 404


def test_past_its_rate_a_token_answers_429_with_retry_after(client, producer, settings):
    settings.SALESCULTURE = {**settings.SALESCULTURE, "API_RATE_PER_MINUTE": 3}
    _, secret = api_token_create(producer=producer, name="Dialer")
    api = ApiClient(client, secret)
    other = ApiClient(client, api_token_create(producer=producer, name="Phone")[1])

    statuses = [api.get("/stages").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = api.get("/stages")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "retry in" in refused.json()["detail"]
    assert other.get("/stages").status_code == 200  # each token has its own allowance


def test_the_rate_window_says_how_long_is_left(producer, settings):
    settings.SALESCULTURE = {**settings.SALESCULTURE, "API_RATE_PER_MINUTE": 1}
    token, _ = api_token_create(producer=producer, name="Dialer")
    minute = 60 * 29_000_000
    assert api_token_rate_take(token, now=minute + 15) == 0
    assert api_token_rate_take(token, now=minute + 15.5) == 45
    assert api_token_rate_take(token, now=minute + 60) == 0  # a new minute


def test_last_used_is_noted_at_most_once_a_minute(client, producer):
    token, secret = api_token_create(producer=producer, name="Dialer")
    api = ApiClient(client, secret)
    api.get("/stages")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and first <= timezone.now()
    api.get("/stages")
    token.refresh_from_db()
    assert token.last_used_at == first


# --- the schema and the docs ------------------------------------------------------------------

def test_the_schema_documents_every_operation_with_a_summary(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) == 15
    assert all(op.get("summary") for op in operations)
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    # Every body and every answer has an example.
    for name, component in schema["components"]["schemas"].items():
        if not name.startswith(("Page", "Input", "ListFilters")):
            assert component.get("examples"), name


def test_the_docs_load_swagger_from_our_static_files(client, db):
    response = client.get("/api/v1/docs")
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "<script>" not in page  # the CSP allows no inline script


def test_another_agencys_person_is_never_found_through_a_token(client, owner, other_producer):
    ProducerFactory(agency=other_producer.agency)
    api = ApiClient(client, api_token_create(producer=owner, name="x")[1])
    assert api.get("/scorecards", {"producer": other_producer.pk}).status_code == 404
    assert api.get("/wins", {"producer": other_producer.pk}).status_code == 404
