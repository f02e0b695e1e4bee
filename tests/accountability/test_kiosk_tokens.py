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
