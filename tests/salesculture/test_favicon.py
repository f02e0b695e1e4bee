"""/favicon.ico: asked for by every browser whatever the page links to."""

import pytest


@pytest.mark.django_db
def test_favicon_ico_is_served_to_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header, not a page
    assert "max-age=86400" in response["Cache-Control"]


def test_favicon_is_served_to_a_logged_in_producer_too(producer_client):
    assert producer_client.get("/favicon.ico").status_code == 200


@pytest.mark.django_db
def test_pages_link_both_icons(client):
    html = client.get("/login/").content.decode()
    assert 'rel="icon" href="/static/img/favicon.ico"' in html
    assert 'href="/static/img/favicon.svg" type="image/svg+xml"' in html
