"""Issue 11: every page is served under a Content-Security-Policy that allows no inline script,
no eval and no inline style, and a Permissions-Policy that denies what the app never uses. The
templates hold nothing such a policy would refuse (the browser tests, tests/e2e, fail on any
violation the pages actually cause)."""

import html
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accountability.models import KioskLink
from salesculture.templatetags.fill import fill

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Mail clients read the digest, not a browser under this policy: its inline styles stay.
EMAIL_TEMPLATES = TEMPLATES / "accountability" / "scorecards" / "email"
FILL_CSS = Path(settings.BASE_DIR) / "static" / "css" / "fill.css"

# What a policy without 'unsafe-inline' and 'unsafe-eval' refuses, or what makes htmx eval.
FORBIDDEN = {
    # A <script> without src, or with a body besides its src.
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>|<script\b[^>]*>\s*[^\s<]",
                                re.IGNORECASE),
    "inline <style>": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "hx-on": re.compile(r"\b(?:data-)?hx-on\b", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "htmx eval (js: values, hx-vars)": re.compile(r"\bjs:|\bhx-vars\b", re.IGNORECASE),
    "htmx trigger filter": re.compile(r"hx-trigger\s*=\s*([\"'])[^\"']*\[[^\"']*\1",
                                      re.IGNORECASE),
}


def forbidden_in(text: str) -> list[str]:
    """What `text` (a template or a page) holds that the policy would refuse, by line. Django
    comments ({# #}) are blanked first, keeping the lines: they never reach the browser."""
    text = re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group().count("\n"), text, flags=re.DOTALL)
    return [f"{text.count(chr(10), 0, match.start()) + 1}: {what}"
            for what, pattern in FORBIDDEN.items() for match in pattern.finditer(text)]


def served_templates():
    """Every template a browser renders: emails (in an `email` folder of their slice) carry
    inline styles because mail clients drop style sheets, and no CSP applies to them."""
    return sorted(p for p in TEMPLATES.rglob("*.html")
                  if "email" not in p.relative_to(TEMPLATES).parts[:-1])


def directives(header: str) -> dict[str, list[str]]:
    parts = (d.split() for d in header.split(";") if d.strip())
    return {name: values for name, *values in parts}


# --- the headers -----------------------------------------------------------------------------

@pytest.fixture
def kiosk_url(team, leader):
    link = KioskLink.objects.create(agency=team.agency, team=team, token="c" * 43,
                                    created_by=leader)
    return reverse("accountability:kiosk", args=[link.token])


@pytest.mark.parametrize("url", ["/week/", "/team/", "/pipeline/", "/profile/", "/meeting/turn/"])
def test_every_page_allows_scripts_and_styles_from_this_origin_only(producer_client, url):
    response = producer_client.get(url)

    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    assert directives(header) == {
        "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"],
        "img-src": ["'self'", "data:"], "connect-src": ["'self'"], "font-src": ["'self'"],
        "object-src": ["'none'"], "base-uri": ["'self'"], "form-action": ["'self'"],
        "frame-ancestors": ["'none'"]}


def test_an_anonymous_page_and_the_kiosk_carry_the_policy_too(client, kiosk_url):
    for url in ("/login/", kiosk_url):
        header = client.get(url)["Content-Security-Policy"]
        assert directives(header)["script-src"] == ["'self'"]


def test_features_the_app_never_uses_are_denied_and_full_screen_is_not(producer_client):
    response = producer_client.get("/week/")

    policy = dict(p.strip().split("=", 1) for p in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()"
    # The meeting's TV view goes full screen.
    assert "fullscreen" not in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_htmx_is_told_not_to_eval_run_swapped_scripts_or_write_styles(producer_client):
    page = producer_client.get("/week/").content.decode()

    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    config = json.loads(html.unescape(meta.group(1)))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert "style" not in config["attributesToSettle"]


# --- the templates ---------------------------------------------------------------------------

def test_no_served_template_holds_inline_code_or_inline_style():
    found = [f"{path.relative_to(TEMPLATES)}:{where}" for path in served_templates()
             for where in forbidden_in(path.read_text())]

    assert found == []


def test_the_scan_finds_what_it_looks_for():
    bad = ['<script>alert(1)</script>', '<script type="module">x()</script>',
           '<script src="/static/x.js">\n  y()\n</script>', "<div\n  style='color: red'>",
           '<div style="width: 3%">', "<select onchange=\"this.form.submit()\">",
           '<input onfocus="this.select()">', '<form hx-on::after-request="x()">',
           '<a href="javascript:void(0)">', '<style>.x{}</style>',
           "<div hx-get=\"/\" hx-trigger=\"every 3s [ok()]\">", "<div hx-vals='js:{a: 1}'>"]
    for snippet in bad:
        assert forbidden_in(snippet), snippet

    good = ['<script src="/static/js/app.js" defer></script>', '<div class="fill-3">',
            '<div hx-get="/" hx-trigger="every 3s" data-poll-when-idle>',
            "{# <script>alert(1)</script> a comment #}", '<p>Move on = progress</p>']
    for snippet in good:
        assert not forbidden_in(snippet), snippet


def test_the_email_digest_is_left_out_of_the_scan_and_keeps_its_inline_styles():
    digest = EMAIL_TEMPLATES / "digest.html"
    assert digest not in served_templates()
    assert "style=" in digest.read_text()


# --- bars drawn by class ---------------------------------------------------------------------

@pytest.mark.parametrize(("share", "css_class"), [
    (0, "fill-0"), (37, "fill-37"), (37.5, "fill-38"), ("12.49", "fill-12"), (100, "fill-100"),
    (140, "fill-100"), (-5, "fill-0"), (None, "fill-0"), ("", "fill-0")])
def test_a_share_becomes_a_whole_percent_class(share, css_class):
    assert fill(share) == css_class


def test_every_class_the_filter_gives_is_defined():
    defined = dict(re.findall(r"\.(fill-\d+) \{ --fill: (\d+)%; \}", FILL_CSS.read_text()))

    assert defined == {f"fill-{n}": str(n) for n in range(101)}
