"""Pages as a person with a browser sees them, when a page comes in more than one request."""

import re

from django.http import HttpResponse
from django.urls import reverse

PLACEHOLDER = re.compile(r'<div id="week-more" class="week-more-wait".*?</div>', re.S)
COMPARE = re.compile(r'<p id="week-compare".*?</p>', re.S)


def my_week_seen(client, query: dict | None = None) -> HttpResponse:
    """My week once scrolled: the page, with the part below the fold that htmx asks for when
    it comes into view (`week_more`) swapped in, and its comparison line in place of the
    page's. Returns the page's response with that content (its context is the page's)."""
    page = client.get(reverse("accountability:my_week"), query)
    more = client.get(reverse("accountability:week_more"), headers={"HX-Request": "true"})
    assert page.status_code == 200 and more.status_code == 200, (page, more)
    html, below = page.content.decode(), more.content.decode()
    compare = COMPARE.search(below)
    below = below[:compare.start()] + below[compare.end():]
    html = PLACEHOLDER.sub(lambda _: below, html, count=1)
    html = COMPARE.sub(lambda _: compare.group(0).replace(' hx-swap-oob="true"', ""), html,
                       count=1)
    page.content = html.encode()
    return page
