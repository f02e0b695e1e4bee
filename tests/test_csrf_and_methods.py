"""Every route refuses a POST without the CSRF token (plain and HTMX alike), the token that
<body hx-headers> carries is accepted, the kiosk answers any write with 405, and no route
answers GET, PUT, PATCH or DELETE by writing. The JSON API under /api/v1/ takes no session at
all (only a bearer token, which a forged cross-site request cannot carry): a logged-in
browser's write there answers 401 or 405."""

import re

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accountability.models import KioskLink
from pipeline.models import Activity, ImportJob
from tests.conftest import login
from tests.factories import activity_type
from tests.test_fuzz_forms import snapshot


def every_url(ids: dict) -> list[str]:
    urls = []

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                walk(entry.url_patterns, f"{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                urls.append(reverse(namespace + entry.name,
                                    kwargs={p: ids[p] for p in entry.pattern.converters}))

    walk(get_resolver().url_patterns)
    return urls


def test_a_post_without_the_token_is_refused_everywhere_and_writes_nothing(leader, team):
    link = KioskLink.objects.create(agency=team.agency, team=team, token="k" * 43,
                                    created_by=leader)
    job = ImportJob.objects.create(agency=team.agency, created_by=leader, kind="prospects",
                                   csv_text="Name,Owner email\r\nAcme,a@example.com\r\n",
                                   total_rows=1, mapping={"name": "Name"})
    ids = {"pk": 1, "producer_id": leader.pk, "activity_id": 1, "meeting_id": 1, "turn_id": 1,
           "link_id": link.pk, "token": link.token, "invitation_id": 1, "uidb64": "MQ",
           "job_id": job.pk, "token_id": 1, "prospect_id": 1, "webhook_id": 1,
           "one_on_one_id": 1, "action_id": 1, "obstacle_id": 1}
    client = login(Client(enforce_csrf_checks=True), leader)
    before = snapshot()
    for url in every_url(ids):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.post(url, {"note": "x"}, **headers)
            if url.startswith("/api/"):
                assert response.status_code in (401, 403, 405), url
                continue
            expected = 405 if url.startswith("/kiosk/") else 403
            assert response.status_code == expected, url
        for method in ("put", "patch", "delete"):
            assert getattr(client, method)(url).status_code in (401, 403, 405), (method, url)
        client.get(url)
        client.get(url, HTTP_HX_REQUEST="true")
    assert snapshot() == before


def test_the_token_from_body_hx_headers_lets_an_htmx_post_through(producer, agency):
    client = login(Client(enforce_csrf_checks=True), producer)
    page = client.get("/week/").content.decode()
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)

    response = client.post("/week/log/", {"activity_type": activity_type(agency).pk},
                           HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 200
    assert Activity.objects.filter(producer=producer).count() == 1
