"""Real-browser tests: Playwright (Python) driving the system Chromium from Debian's package.

Playwright's own browser download does not work here, so the system binary is launched by
path. Without it these tests skip with the command that installs it.

They run with the Content-Security-Policy on (settings.py), and every page a test opens fails
the test at teardown if the browser refused anything under that policy (or could not read the
Permissions-Policy). Playwright's `wait_for_function` evals its string in the page, which the
policy refuses: wait for a selector instead (`page.evaluate` is not affected).
"""

import os
import shutil
import threading
import time
import warnings
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.test.client import ClientHandler

# Playwright's sync API runs an event loop in this thread; the Django ORM calls made by the
# test itself (seeding, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
DEMO_PASSWORD = "salesculture"
PHONE = {"width": 375, "height": 812}
TV = {"width": 1920, "height": 1080}

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not found: install it with `apt-get install chromium` "
                    "(or set CHROMIUM_PATH) to run the browser tests.")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"])
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db):
    """The demo agency, smaller than `make demo` loads so each test stays quick."""
    call_command("seed_demo", producers=4, weeks=6, verbosity=0)


# Runs in every page before its own scripts: each violation of the policy (an inline script or
# style, eval, a handler attribute, a source from elsewhere) is passed to the test.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  var on = event.target && event.target.tagName ? event.target.cloneNode(false).outerHTML : "";
  window.reportCspViolation([event.violatedDirective, event.blockedURI || "inline",
    (event.sourceFile || location.href) + ":" + event.lineNumber, event.sample || "",
    on].join(" "));
});
"""


class RequestsInFlight:
    """The requests the live server is still answering (its threads run in this process). A
    closed browser context drops its pending requests, but the server goes on answering them;
    the database is flushed after the test, and a flush that meets a request still writing
    (a session's last-seen time, say) can deadlock with it. So a test ends once they are done.
    Only the live server's requests count: the test client's (ClientHandler) are answered
    before its call returns, and a streamed one never read would never say it finished."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()
        request_started.connect(self.started, weak=False)
        request_finished.connect(self.finished, weak=False)

    def started(self, sender, **kwargs):
        if sender is not ClientHandler:
            with self.changed:
                self.count += 1

    def finished(self, sender, **kwargs):
        if sender is not ClientHandler:
            with self.changed:
                self.count = max(0, self.count - 1)
                self.changed.notify_all()

    def wait_for_none(self, timeout_s: float = 10) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: self.count == 0, timeout=timeout_s):
                warnings.warn(f"{self.count} request(s) of the live server still running "
                              f"after {timeout_s:g} s; the test's database is flushed anyway",
                              stacklevel=2)


IN_FLIGHT = RequestsInFlight()


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (its own cookies) at a viewport; closed after the test,
    which fails if any page broke the Content-Security-Policy or had a Permissions-Policy
    the browser could not read."""
    contexts, violations = [], []

    def note_console(message):
        # "Permissions-Policy": a feature name in settings that this browser does not know.
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            violations.append(f"console: {message.text}")

    def open_page(viewport=PHONE):
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(10_000)
        # The binding outlives navigations, so a violation just before leaving a page counts too.
        context.expose_function("reportCspViolation",
                                lambda text: violations.append(f"event: {text}"))
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", note_console)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    IN_FLIGHT.wait_for_none()
    assert violations == [], "Refused under the page's policies:\n" + "\n".join(violations)


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


# A key the page's own scripts handle is heard only once they have run (deferred scripts run
# after parsing, which a busy machine can stretch past the moment the element appears) and
# while htmx is not between swapping content in and wiring it up.
SCRIPTS_LISTENING = ("document.readyState === 'complete'"
                     " && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def press_key(page, key: str, timeout_s: float = 10) -> None:
    # Polled from here: wait_for_function would compile its test with eval, which the page's
    # content security policy refuses (and the CSP tests count refusals).
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(SCRIPTS_LISTENING):
        assert time.monotonic() < deadline, "the page's scripts never became ready for a key"
        page.wait_for_timeout(50)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press(key)


def leader_at_first_turn(new_page):
    """The demo leader on a 1920×1080 TV, the last week's meeting started and moved on to
    its first turn."""
    page = new_page(TV)
    log_in(page, "leader")
    page.goto("/meeting/")
    page.select_option("#id_week", index=0)
    page.click("#meeting-start")
    page.wait_for_selector("#meeting-stage.section-wins")
    press_key(page, "PageDown")
    page.wait_for_selector('#meeting-stage[data-at^="turns:0:"]')
    return page


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # From the top: a page scrolled down has its sticky header drawn over the middle of a
    # full-page shot.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)
    return path
