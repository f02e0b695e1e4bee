"""A kiosk address that cannot be a token (a NUL byte, punctuation, emoji) answers 404 without
a database lookup; PostgreSQL used to answer a NUL byte with a 500."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.models import KioskLink


@pytest.mark.parametrize("path", ["/kiosk/%00abc/", "/kiosk/abc%00/poll/?k=x",
                                  "/kiosk/%F0%9F%98%80/", "/kiosk/a.b/", "/kiosk/a%20b/"])
def test_a_malformed_token_is_404_without_a_lookup(client, team, leader, path):
    KioskLink.objects.create(agency=team.agency, team=team, token="abc", created_by=leader)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)

    assert response.status_code == 404
    assert len(queries) == 0


def test_guessing_tv_links_is_refused_after_twenty_wrong_tokens(client, team, leader):
    KioskLink.objects.create(agency=team.agency, team=team, token="real-token", created_by=leader)
    statuses = [client.get(f"/kiosk/guess{n}/").status_code for n in range(20)]

    refused = client.get("/kiosk/real-token/")

    assert statuses == [404] * 20
    assert refused.status_code == 429
    assert "Too many unknown TV links from this address. Try again in 15 minutes." in (
        refused.content.decode())


def test_another_address_keeps_its_tv_link(client, team, leader):
    KioskLink.objects.create(agency=team.agency, team=team, token="real-token", created_by=leader)
    for n in range(20):
        client.get(f"/kiosk/guess{n}/", REMOTE_ADDR="203.0.113.9")

    assert client.get("/kiosk/real-token/").status_code == 200
