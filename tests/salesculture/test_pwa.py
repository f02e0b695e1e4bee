"""Installable on a phone (issue 16, item 5): the manifest, its icons, the service worker
served from the root with the right type and scope header under the site's
Content-Security-Policy, the offline page, and a logout that clears what the browser kept."""

import json
import struct

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.conftest import login


def png_size(static_path: str) -> tuple[int, int]:
    with open(finders.find(static_path.removeprefix("/static/")), "rb") as icon:
        head = icon.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.mark.django_db
def test_the_manifest_is_served_as_a_manifest_with_192_512_and_maskable_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {(icon["sizes"], icon["purpose"]): png_size(icon["src"])
             for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"): (192, 192), ("512x512", "any"): (512, 512),
                     ("512x512", "maskable"): (512, 512)}


@pytest.mark.django_db
def test_every_page_links_the_manifest_and_the_worker_script(client, producer):
    login(client, producer)
    page = client.get(reverse("accountability:my_week")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'data-sw="/sw.js"' in page and f'data-user="{producer.user.pk}"' in page


@pytest.mark.django_db
def test_the_service_worker_is_javascript_for_the_whole_site_and_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    # Served under the same policy as every page: a worker script from this origin.
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy
    body = response.content.decode()
    assert '"/offline/"' in body and "/static/css/app.css" in body


@pytest.mark.django_db
def test_the_worker_never_keeps_a_page_only_the_shell(client):
    body = client.get("/sw.js").content.decode()
    shell = json.loads(body.split("var SHELL = ", 1)[1].split(";", 1)[0])
    assert all(path.startswith("/static/") for path in shell if path != "/offline/")
    assert 'request.mode === "navigate"' in body and "cache.put(request" in body
    # Only static files are put in the cache; pages go to the network.
    assert body.index("cache.put(request") < body.index('request.mode === "navigate"')


@pytest.mark.django_db
def test_the_offline_page_is_the_same_for_everyone(client, producer):
    anonymous = client.get("/offline/")
    assert anonymous.status_code == 200
    assert "You are offline" in anonymous.content.decode()
    login(client, producer)
    logged_in = client.get("/offline/")
    # No redirect to the "why" page, no name on it: the worker may keep it.
    assert logged_in.status_code == 200
    assert "Pat" not in logged_in.content.decode()
    assert "public" in logged_in["Cache-Control"]


@pytest.mark.django_db
def test_the_worker_and_manifest_are_not_sent_to_onboarding(client, producer):
    producer.why = ""
    producer.save()
    login(client, producer)
    assert client.get("/sw.js").status_code == 200
    assert client.get("/manifest.webmanifest").status_code == 200


@pytest.mark.django_db
def test_logging_out_tells_the_browser_to_clear_its_caches(client, producer):
    login(client, producer)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'
    assert client.get(reverse("accountability:my_week")).status_code == 302  # logged out
